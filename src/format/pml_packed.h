/* SPDX-License-Identifier: Apache-2.0 */
/*
 * picoml packed-weights section of a .tflite model (written offline by `picoml pack`).
 *
 * The model stays a valid TFLite model: the original weights are untouched, and the packed copies
 * are extra buffers that only the model's `metadata` list reaches, under the name
 * PML_PACKED_META_NAME (TFLite ignores metadata names it does not know). That entry's buffer is
 * the table (little endian, uint32):
 *   count, then count x {op index (subgraph 0), kind, buffer index}
 * Kind PML_PACKED_FC_W16X4 (FULLY_CONNECTED int8, symmetric weights), buffer 4-byte aligned:
 *   int32 header[4]   units, depth, input_offset (-input zero point), 0
 *   int32 bias[U4]    bias[u] + input_offset * sum_d w[u][d] (modulo 2^32; 0 for the padding rows)
 *   int16 w[...]      blocks of 4 rows (U4 = units rounded up to 4, padding rows 0); per block, per
 *                     group of 4 inputs (depth rounded up to 4, padding 0), per row of the block:
 *                     w[d], w[d + 2], w[d + 1], w[d + 3]  (the lane order of SXTB16 x, SXTB16 x ROR 8)
 * The runtime uses a packed buffer only where it equals, value for value, what this layout makes
 * from the op's own weights, bias and input zero point (checked at prepare), so stale or damaged
 * packed data is ignored, never used.
 */
#ifndef PML_PACKED_H
#define PML_PACKED_H

#include <stdint.h>

#define PML_PACKED_META_NAME "picoml.packed.v1"
#define PML_PACKED_ENTRY_BYTES 12u
enum { PML_PACKED_FC_W16X4 = 1 };
#define PML_PACKED_FC_HEADER_BYTES 16u

/* Bytes of a PML_PACKED_FC_W16X4 buffer (64-bit: no overflow for any int32 shape). */
static inline uint64_t pml_packed_fc_w16_bytes(uint32_t units, uint32_t depth) {
    const uint64_t u4 = ((uint64_t)units + 3u) & ~(uint64_t)3u, d4 = ((uint64_t)depth + 3u) & ~(uint64_t)3u;
    return PML_PACKED_FC_HEADER_BYTES + 4u * u4 + 2u * u4 * d4;
}

#endif /* PML_PACKED_H */
