/* SPDX-License-Identifier: Apache-2.0 */
/* Host-side model packer (uses malloc; not part of the runtime library). */
#ifndef PML_PACK_MODEL_H
#define PML_PACK_MODEL_H

#include <stddef.h>
#include <stdint.h>

/* Copy of the model b[len] with packed FULLY_CONNECTED weights (src/format/pml_packed.h) for the
 * Arm v7E-M DSP kernel, in *out (malloc'd, *out_len bytes); *n_packed ops packed. NULL on success,
 * else why nothing was written. */
const char *pml_pack_model(const uint8_t *b, size_t len, uint8_t **out, size_t *out_len, uint32_t *n_packed);

#endif /* PML_PACK_MODEL_H */
