/* SPDX-License-Identifier: Apache-2.0 */
/* What the picoml command line's subcommands share: reading whole files and a monotonic clock. */
#ifndef PML_CLI_UTIL_H
#define PML_CLI_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* The whole file in a 16-byte aligned buffer (a model can be opened in place) followed by one zero
 * byte (a text file is then a string); *len excludes that byte. NULL if the file cannot be opened;
 * a read error after that exits with "picoml: cannot read 'PATH'". */
uint8_t *pml_cli_read_file(const char *path, size_t *len);

/* pml_cli_read_file, exiting with "picoml: cannot open 'PATH'" (status 1) where it gives NULL. */
uint8_t *pml_cli_read_file_or_die(const char *path, size_t *len);

/* CLOCK_MONOTONIC in seconds */
double pml_cli_now_s(void);

#endif /* PML_CLI_UTIL_H */
