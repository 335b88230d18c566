/* SPDX-License-Identifier: Apache-2.0 */
/* Helpers shared by the op glue: geometry, shapes, quantization parameters. */
#ifndef PML_OPS_INTERNAL_H
#define PML_OPS_INTERNAL_H

#include "../kernels/pml_kernels.h"
#include "../runtime/pml_runtime_internal.h"

enum { PML_PAD_SAME = 0, PML_PAD_VALID = 1 };

/* TFLite ComputeOutSize + ComputePaddingHeightWidth for one spatial axis. False on nonsense
 * (stride/dilation < 1, filter larger than padded input, overflow). */
PML_INTERNAL bool pml__conv_geometry(int32_t padding, int32_t in, int32_t filter, int32_t stride, int32_t dilation,
                                     int32_t *out, int32_t *pad);
/* dims of a rank-4 tensor as NHWC */
PML_INTERNAL pml_dims4 pml__dims4(const pml__tinfo *ti);
/* Per-channel requantization arrays in op data: effective scale = in_scale * w_scale[c] / out_scale
 * computed in double (TFLite PopulateConvolutionQuantizationParams). `mult`/`shift` hold `count`.
 * False if a scale is out of the range a multiplier can express (shift > 30). With mult == NULL it
 * only validates (prepare does that before allocating, so measuring and init agree). */
PML_INTERNAL bool pml__fill_requant(const pml_model *m, const pml__tinfo *w, float in_scale, float out_scale,
                                    int32_t count, int32_t *mult, int8_t *shift);
/* The same from the weights' scale vector alone (a prepare whose tensor records are gone). */
PML_INTERNAL bool pml__fill_requant_v(const pml_model *m, const pml__fbv *w_scale, float in_scale, float out_scale,
                                      int32_t count, int32_t *mult, int8_t *shift);
/* Common int8 checks: per-tensor scale > 0 and zero point in [-128, 127]. */
PML_INTERNAL bool pml__valid_q8(const pml_model *m, const pml__tinfo *t);
/* Per-channel int8 weights: scales all > 0, zero points 0, count 1 or `channels` along `qdim`. */
PML_INTERNAL bool pml__valid_w8(const pml_model *m, const pml__tinfo *w, int32_t channels, int32_t qdim);
PML_INTERNAL bool pml__same_shape(const pml__tinfo *a, const pml__tinfo *b);
/* Binary elementwise broadcasting (ADD, SUB, MUL): right-align shapes to 5-D; every input dim must
 * equal the output's or be 1, and the output dim is the larger. False for rank > 5 or a mismatch. */
PML_INTERNAL bool pml__broadcast5(const pml__tinfo *a, const pml__tinfo *b, const pml__tinfo *o, pml_bcast5 *bc);
/* Same per-tensor int8 scale and zero point. */
PML_INTERNAL bool pml__same_q8(const pml_model *m, const pml__tinfo *a, const pml__tinfo *b);
/* The int8-only kernels' (pml_kernel_*_s8) answer to an op whose tensors are not all int8:
 * PML_ERR_UNSUPPORTED; `dtype` is the first tensor type that is not int8. For float32 the message
 * names the full kernel (`kernel`, e.g. "conv2d"), which handles it. */
PML_INTERNAL pml_status pml__prep_s8_only(pml_prep_ctx *pc, const char *opn, const char *kernel, int32_t dtype);

/* FULLY_CONNECTED: are pk[len] (pml__packed_find, kind PML_PACKED_FC_W16X4) exactly the packed form
 * of weights w[units][depth], bias (or NULL) and input offset off? (src/ops/op_fc.c) */
PML_INTERNAL bool pml__fc_packed_ok(const uint8_t *pk, size_t len, const int8_t *w, const int32_t *bias, int32_t units,
                                    int32_t depth, int32_t off);

#endif /* PML_OPS_INTERNAL_H */
