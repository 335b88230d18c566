/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ADD int8, Arm Helium: inputs of the output's shape (no broadcast), four elements per step.
 *
 * Per lane the reference's arithmetic (add_s8_ref.c): (x + offset) * 2^left_shift, each input
 * through MultiplyByQuantizedMultiplier (pml__mbqm_mve), the sum through the output's, + output
 * offset (wrapping like the reference's int32 cast), clamp. The last step is lane-predicated. Shifts
 * outside -31..31 (the reference clamps them) and left_shift outside 0..30 go to the other variants.
 */
#include "pml_mve.h"

bool pml_add_s8_mve_applies(const pml_add_params *p, const pml_bcast5 *b) {
    for (int i = 0; i < 5; i++)
        if (b->in1[i] != b->out[i] || b->in2[i] != b->out[i])
            return false;
    return p->left_shift >= 0 && p->left_shift <= 30 && p->input1_shift >= -31 && p->input1_shift <= 31 &&
           p->input2_shift >= -31 && p->input2_shift <= 31 && p->output_shift >= -31 && p->output_shift <= 31;
}

void pml_add_s8_mve(const pml_add_params *p, const pml_bcast5 *b, const int8_t *in1, const int8_t *in2, int8_t *out) {
    int32_t n = 1;
    for (int i = 0; i < 5; i++)
        n *= b->out[i];
    const pml__rq4 r1 = pml__rq4_make(vdupq_n_s32(p->input1_mult), vdupq_n_s32(p->input1_shift));
    const pml__rq4 r2 = pml__rq4_make(vdupq_n_s32(p->input2_mult), vdupq_n_s32(p->input2_shift));
    const pml__rq4 ro = pml__rq4_make(vdupq_n_s32(p->output_mult), vdupq_n_s32(p->output_shift));
    const int32_t o1 = p->input1_offset, o2 = p->input2_offset, ooff = p->output_offset;
    const int32_t scale = (int32_t)(1u << p->left_shift);
    const int32x4_t lo = vdupq_n_s32(p->act_min), hi = vdupq_n_s32(p->act_max);
    for (int32_t i = 0; i < n; i += 4) {
        const mve_pred16_t p32 = vctp32q((uint32_t)(n - i));
        const int32x4_t x = vmulq_n_s32(vaddq_n_s32(vldrbq_z_s32(in1 + i, p32), o1), scale);
        const int32x4_t y = vmulq_n_s32(vaddq_n_s32(vldrbq_z_s32(in2 + i, p32), o2), scale);
        const int32x4_t s = vaddq_s32(pml__mbqm_mve(x, &r1), pml__mbqm_mve(y, &r2));
        int32x4_t v = vaddq_n_s32(pml__mbqm_mve(s, &ro), ooff);
        v = vminq_s32(vmaxq_s32(v, lo), hi);
        vstrbq_p_s32(out + i, v, p32);
    }
}
