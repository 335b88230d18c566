/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Which kernel variants this build has, best first; prepare picks the first whose predicate
 * holds (the same predicate also decides the scratch, so selection logic exists once). The build
 * chooses the ISA sets by compiling their directories and defining the matching macro:
 *   PML_KERNELS_AVX2  src/kernels/x86      (x86-64, AVX2; AVX-VNNI variants when the CPU has it)
 *   PML_KERNELS_DSP   src/kernels/armv7em  (Arm v7E-M DSP extension: Cortex-M4/M7/M33/M55)
 *   PML_KERNELS_MVE   src/kernels/mve      (Arm Helium, Cortex-M55; always with PML_KERNELS_DSP: the MVE
 *                                          variants come first, the DSP ones take the other shapes)
 *   PML_KERNELS_DSP   src/kernels/armv7em  (Arm v7E-M DSP; replaces the portable variants, whose
 *                                          predicates it matches, so they cost no flash)
 *   PML_KERNELS_REF   reference kernels only (for comparisons and debugging)
 * The reference kernel ends every table, so every op always has a kernel.
 */
#include "pml_kernels.h"

#define COUNT(t) ((uint32_t)(sizeof(t) / sizeof((t)[0])))

static const pml_conv_s8_variant conv2d_s8[] = {
#if defined(PML_KERNELS_AVX2) && !defined(PML_KERNELS_REF)
    {"conv2d_s8_vnnip", pml_conv2d_s8_vnnip_applies, pml_conv2d_s8_vnnip},
    {"conv2d_s8_vnni", pml_conv2d_s8_vnni_applies, pml_conv2d_s8_vnni},
    {"conv2d_s8_avx2", pml_conv2d_s8_fast_applies, pml_conv2d_s8_avx2},
#endif
#if defined(PML_KERNELS_MVE) && !defined(PML_KERNELS_REF)
    {"conv2d_s8_mve", pml_conv2d_s8_mve_applies, pml_conv2d_s8_mve},
#endif
#if defined(PML_KERNELS_DSP) && !defined(PML_KERNELS_REF)
    {"conv2d_s8_dsp", pml_conv2d_s8_dsp_applies, pml_conv2d_s8_dsp},
#endif
#if !defined(PML_KERNELS_REF) && !defined(PML_KERNELS_DSP) /* the DSP variants cover the same shapes */
    {"conv2d_s8_fast", pml_conv2d_s8_fast_applies, pml_conv2d_s8_fast},
#endif
    {"conv2d_s8_ref", NULL, pml_conv2d_s8_ref},
};

static const pml_conv_s8_variant dwconv2d_s8[] = {
#if defined(PML_KERNELS_AVX2) && !defined(PML_KERNELS_REF)
    {"dwconv2d_s8_vnni", pml_dwconv2d_s8_vnni_applies, pml_dwconv2d_s8_vnni},
    {"dwconv2d_s8_avx2r", pml_dwconv2d_s8_avx2r_applies, pml_dwconv2d_s8_avx2r},
    {"dwconv2d_s8_avx2", pml_dwconv2d_s8_fast_applies, pml_dwconv2d_s8_avx2},
#endif
#if defined(PML_KERNELS_MVE) && !defined(PML_KERNELS_REF)
    {"dwconv2d_s8_mve", pml_dwconv2d_s8_mve_applies, pml_dwconv2d_s8_mve},
#endif
#if defined(PML_KERNELS_DSP) && !defined(PML_KERNELS_REF) && !defined(PML_KERNELS_MVE) /* MVE: same predicate */
    {"dwconv2d_s8_dsp", pml_dwconv2d_s8_dsp_applies, pml_dwconv2d_s8_dsp},
#endif
#if !defined(PML_KERNELS_REF) && !defined(PML_KERNELS_DSP) /* the DSP variants cover the same shapes */
    {"dwconv2d_s8_fast", pml_dwconv2d_s8_fast_applies, pml_dwconv2d_s8_fast},
#endif
    {"dwconv2d_s8_ref", NULL, pml_dwconv2d_s8_ref},
};

static const pml_fc_s8_variant fc_s8[] = {
#if defined(PML_KERNELS_AVX2) && !defined(PML_KERNELS_REF)
    {"fc_s8_vnni", pml_fc_s8_vnni_applies, pml_fc_s8_vnni},
    {"fc_s8_avx2", pml_fc_s8_fast_applies, pml_fc_s8_avx2},
#endif
#if defined(PML_KERNELS_MVE) && !defined(PML_KERNELS_REF)
    {"fc_s8_mve", pml_fc_s8_mve_applies, pml_fc_s8_mve},
#endif
#if defined(PML_KERNELS_DSP) && !defined(PML_KERNELS_REF) && !defined(PML_KERNELS_MVE) /* MVE: same predicate */
    {"fc_s8_dsp", pml_fc_s8_dsp_applies, pml_fc_s8_dsp},
#endif
#if !defined(PML_KERNELS_REF) && !defined(PML_KERNELS_DSP) /* the DSP variants cover the same shapes */
    {"fc_s8_fast", pml_fc_s8_fast_applies, pml_fc_s8_fast},
#endif
    {"fc_s8_ref", NULL, pml_fc_s8_ref},
};

static const pml_fc_s8_w16_variant fc_s8_w16[] = {
#if defined(PML_KERNELS_DSP) && !defined(PML_KERNELS_REF)
    {"fc_s8_dsp_w16", pml_fc_s8_w16_dsp},
#endif
    {"fc_s8_w16_c", pml_fc_s8_w16_c},
};
#if defined(PML_KERNELS_DSP) && !defined(PML_KERNELS_REF)
/* its own object, so that a firmware links only the variant it uses (pml__fc_s8_w16_select) */
const pml_fc_s8_w16_variant pml__fc_s8_w16_dsp_variant = {"fc_s8_dsp_w16", pml_fc_s8_w16_dsp};
#endif

static const pml_add_s8_variant add_s8[] = {
#if defined(PML_KERNELS_AVX2) && !defined(PML_KERNELS_REF)
    {"add_s8_avx2s", pml_add_s8_avx2s_applies, pml_add_s8_avx2s},
    {"add_s8_avx2", pml_add_s8_fast_applies, pml_add_s8_avx2},
#endif
#if defined(PML_KERNELS_MVE) && !defined(PML_KERNELS_REF)
    {"add_s8_mve", pml_add_s8_mve_applies, pml_add_s8_mve},
#endif
#if defined(PML_KERNELS_DSP) && !defined(PML_KERNELS_REF)
    {"add_s8_dsp", pml_add_s8_dsp_applies, pml_add_s8_dsp},
#endif
#if !defined(PML_KERNELS_REF) && !defined(PML_KERNELS_DSP) /* the DSP variants cover the same shapes */
    {"add_s8_fast", pml_add_s8_fast_applies, pml_add_s8_fast},
#endif
    {"add_s8_ref", NULL, pml_add_s8_ref},
};

static const pml_avgpool_s8_variant avgpool_s8[] = {
#if defined(PML_KERNELS_DSP) && !defined(PML_KERNELS_REF)
    {"avgpool_s8_dsp", NULL, pml_avgpool_s8_dsp},
#endif
#if defined(PML_KERNELS_AVX2) && !defined(PML_KERNELS_REF)
    {"avgpool_s8_avx2", NULL, pml_avgpool_s8_avx2},
#endif
#if !defined(PML_KERNELS_REF) && !defined(PML_KERNELS_DSP) /* the DSP variant covers the same shapes */
    {"avgpool_s8_fast", NULL, pml_avgpool_s8_fast},
#endif
    {"avgpool_s8_ref", NULL, pml_avgpool_s8_ref},
};

const pml_avgpool_s8_variant *pml__avgpool_s8_variants(uint32_t *count) {
    *count = COUNT(avgpool_s8);
    return avgpool_s8;
}

const pml_avgpool_s8_variant *pml__avgpool_s8_select(const pml_pool_params *p, const pml_dims4 *in_d,
                                                     const pml_dims4 *out_d) {
    for (uint32_t i = 0; i < COUNT(avgpool_s8); i++)
        if (!avgpool_s8[i].applies || avgpool_s8[i].applies(p, in_d, out_d)) return &avgpool_s8[i];
    return &avgpool_s8[COUNT(avgpool_s8) - 1];
}

const pml_add_s8_variant *pml__add_s8_variants(uint32_t *count) {
    *count = COUNT(add_s8);
    return add_s8;
}

const pml_add_s8_variant *pml__add_s8_select(const pml_add_params *p, const pml_bcast5 *b) {
    for (uint32_t i = 0; i < COUNT(add_s8); i++)
        if (!add_s8[i].applies || add_s8[i].applies(p, b)) return &add_s8[i];
    return &add_s8[COUNT(add_s8) - 1];
}

const pml_conv_s8_variant *pml__conv2d_s8_variants(uint32_t *count) {
    *count = COUNT(conv2d_s8);
    return conv2d_s8;
}
const pml_conv_s8_variant *pml__dwconv2d_s8_variants(uint32_t *count) {
    *count = COUNT(dwconv2d_s8);
    return dwconv2d_s8;
}
const pml_fc_s8_variant *pml__fc_s8_variants(uint32_t *count) {
    *count = COUNT(fc_s8);
    return fc_s8;
}

const pml_fc_s8_w16_variant *pml__fc_s8_w16_variants(uint32_t *count) {
    *count = COUNT(fc_s8_w16);
    return fc_s8_w16;
}

const pml_conv_s8_variant *pml__conv_s8_select(const pml_conv_s8_variant *table, uint32_t count, const pml_conv_params *p,
                                               const pml_dims4 *in_d, const pml_dims4 *f_d, const pml_dims4 *out_d) {
    for (uint32_t i = 0; i < count; i++)
        if (!table[i].applies || table[i].applies(p, in_d, f_d, out_d)) return &table[i];
    return &table[count - 1];
}

const pml_fc_s8_variant *pml__fc_s8_select(const pml_fc_params *p) {
    for (uint32_t i = 0; i < COUNT(fc_s8); i++)
        if (!fc_s8[i].applies || fc_s8[i].applies(p)) return &fc_s8[i];
    return &fc_s8[COUNT(fc_s8) - 1];
}
