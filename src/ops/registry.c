/* SPDX-License-Identifier: Apache-2.0 */
/* The full kernel set, for hosts and tools. A firmware that lists only some kernels in its own pml_op_set
 * (and never calls pml_op_set_all) links only those. */
#include "pml_ops_internal.h"

static const pml_kernel *const all_kernels[] = {
    &pml_kernel_conv2d,       &pml_kernel_dwconv2d, &pml_kernel_fully_connected, &pml_kernel_average_pool2d,
    &pml_kernel_max_pool2d,   &pml_kernel_add,      &pml_kernel_softmax,         &pml_kernel_reshape,
    &pml_kernel_squeeze,      &pml_kernel_quantize, &pml_kernel_dequantize,      &pml_kernel_relu,
    &pml_kernel_relu6,        &pml_kernel_relu_n1_to_1, &pml_kernel_logistic,    &pml_kernel_tanh,
    &pml_kernel_pad,          &pml_kernel_padv2,    &pml_kernel_mean,            &pml_kernel_concatenation,
    &pml_kernel_mul,          &pml_kernel_sub,      &pml_kernel_hard_swish,      &pml_kernel_leaky_relu,
    &pml_kernel_maximum,      &pml_kernel_minimum,  &pml_kernel_strided_slice,   &pml_kernel_transpose,
    &pml_kernel_expand_dims,  &pml_kernel_prelu,
};

static const pml_op_set all_set = {all_kernels, sizeof all_kernels / sizeof all_kernels[0]};

const pml_op_set *pml_op_set_all(void) { return &all_set; }

/* No default set here: referring to all_set would link every kernel into every firmware. */
const pml_kernel *pml__find_kernel(const pml_op_set *ops, int32_t code) {
    for (uint32_t i = 0; i < ops->count; i++)
        if (ops->kernels[i] && ops->kernels[i]->op == code) return ops->kernels[i];
    return NULL;
}
