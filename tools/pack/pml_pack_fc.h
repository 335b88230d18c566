/* SPDX-License-Identifier: Apache-2.0 */
/* Offline packing of FULLY_CONNECTED weights (layout: src/format/pml_packed.h). Freestanding (no
 * allocation, no I/O): used by `picoml pack`, the host property test and the on-target one. */
#ifndef PML_PACK_FC_H
#define PML_PACK_FC_H

#include <stddef.h>
#include <stdint.h>

#include "format/pml_packed.h"

/* Write the PML_PACKED_FC_W16X4 buffer of int8 weights w[units][depth] (bias[units] or NULL) for
 * an input offset (-input zero point) into out (pml_packed_fc_w16_bytes(units, depth) bytes,
 * 4-byte aligned). */
void pml_pack_fc_w16(const int8_t *w, const int32_t *bias, int32_t units, int32_t depth, int32_t input_offset,
                     void *out);

#endif /* PML_PACK_FC_H */
