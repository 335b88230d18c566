/* SPDX-License-Identifier: Apache-2.0 */
/*
 * picoml bare-metal firmware: one model, one golden input, one inference.
 *
 *   1. paint the free RAM between the end of .data/.bss and the stack pointer with a pattern;
 *   2. open the embedded model; pml_interp_arena_size() must equal the static arena, whose size
 *      the build took from this same call on this same target (the probe build, below);
 *   3. init with one byte less must fail with PML_ERR_ARENA naming the exact size; init with the
 *      exact size must work and use all of it;
 *   4. copy the golden input, run one pml_interp_invoke() between insn_region_begin/end (after an
 *      empty region, which the benchmark subtracts);
 *   5. scan for the lowest overwritten stack word (peak stack), print the output bytes in hex and
 *      whether they equal the embedded golden output; exit 0 only if everything held.
 * The stack is scanned twice: once after the self-checks of steps 2-3 (the measuring mode keeps its
 * planner workspace on the stack), then repainted and scanned after the exact init + invoke, the
 * only calls a production firmware makes (prod_stack_peak_bytes); stack_peak_bytes is the whole run.
 *
 * Build-time definitions:
 *   PML_FW_PROBE           probe build: print the arena size, the model's ops and which of them the
 *                          int8-only kernels (pml_kernel_*_s8) take, exit. The build runs it once
 *                          per model and target and writes config.h for the real build.
 *   PML_FW_ARENA_BYTES     (from config.h) exact arena bytes on this target
 *   PML_FW_KERNELS         (from config.h) the kernels this model needs, e.g. &pml_kernel_conv2d, ...
 *   PML_FW_NAME            model name;  PML_FW_TARGET: target name (m4, rv32imac, ...)
 *
 * No printf, no malloc: output goes through board_write(), numbers are formatted in fw_io.h.
 */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "pml/pml.h"
#include "fw_io.h"
#include "fw_stack.h"

#ifndef PML_FW_NAME
#define PML_FW_NAME "model"
#endif
#ifndef PML_FW_TARGET
#define PML_FW_TARGET "?"
#endif

extern const uint8_t pml_fw_model[], pml_fw_model_end[];
extern const uint8_t pml_fw_input[], pml_fw_input_end[];
extern const uint8_t pml_fw_golden[], pml_fw_golden_end[];
extern const char pml_fw_input_name[]; /* "0", "1", "2", "pattern" */

#ifndef PML_FW_PROBE
static uint8_t arena[PML_FW_ARENA_BYTES] __attribute__((aligned(PML_ARENA_ALIGN))); /* the only RAM picoml gets */
static const pml_kernel *const fw_kernels[] = {PML_FW_KERNELS};
static const pml_op_set fw_ops = {fw_kernels, (uint32_t)(sizeof fw_kernels / sizeof fw_kernels[0])};
#endif

/* ---- main ------------------------------------------------------------------------------------------ */
int main(void) {
    uintptr_t main_sp = current_sp();
    stack_paint();

    put("picoml firmware: model " PML_FW_NAME " input ");
    put(pml_fw_input_name);
    put(" target " PML_FW_TARGET "\n");
    pml_model m;
    pml_status st = pml_model_open(&m, pml_fw_model, (size_t)(pml_fw_model_end - pml_fw_model));
    if (st != PML_OK) fail("pml_model_open", st, NULL);

    pml_error err;
    size_t need = 0;
#ifdef PML_FW_PROBE
    st = pml_interp_arena_size(&m, pml_op_set_all(), &need, &err);
    if (st != PML_OK) fail("pml_interp_arena_size", st, &err);
    put("arena_bytes ");
    put_u(need);
    put("\n");
    uint64_t macs = 0;
    for (uint32_t i = 0; i < pml_model_num_ops(&m); i++) {
        pml_op_info op;
        if (pml_model_op(&m, i, &op) == PML_OK) {
            put("op ");
            put(op.name);
            put("\n");
            macs += op.macs;
        }
    }
    put("macs ");
    put_u((size_t)macs);
    put("\n");
    /* The int8-only kernels: "s8 CONV_2D" when every CONV_2D of the model prepares with
     * pml_kernel_conv2d_s8 (ahead of the full set) and the arena stays the same; gen_fw_config.sh
     * then lists it instead of pml_kernel_conv2d. "s8p FULLY_CONNECTED": the same with
     * pml_kernel_fully_connected_s8_packed, for a model whose packed weights (`picoml pack`) the full
     * kernel uses (then the plain int8-only kernel, which ignores them, needs a different arena). */
    static const struct {
        const char *tag, *op;
        const pml_kernel *k;
    } s8k[] = {{"s8 ", "CONV_2D", &pml_kernel_conv2d_s8},
               {"s8 ", "DEPTHWISE_CONV_2D", &pml_kernel_dwconv2d_s8},
               {"s8 ", "FULLY_CONNECTED", &pml_kernel_fully_connected_s8},
               {"s8p ", "FULLY_CONNECTED", &pml_kernel_fully_connected_s8_packed},
               {"s8 ", "AVERAGE_POOL_2D", &pml_kernel_average_pool2d_s8},
               {"s8 ", "MAX_POOL_2D", &pml_kernel_max_pool2d_s8},
               {"s8 ", "ADD", &pml_kernel_add_s8},
               {"s8 ", "SOFTMAX", &pml_kernel_softmax_s8}};
    const pml_op_set *all = pml_op_set_all();
    static const pml_kernel *ks[64];
    for (size_t j = 0; j < sizeof s8k / sizeof s8k[0] && all->count < sizeof ks / sizeof ks[0]; j++) {
        int used = 0;
        for (uint32_t i = 0; i < pml_model_num_ops(&m); i++) {
            pml_op_info op;
            if (pml_model_op(&m, i, &op) == PML_OK && strcmp(op.name, s8k[j].op) == 0) used = 1;
        }
        ks[0] = s8k[j].k;
        for (uint32_t i = 0; i < all->count; i++) ks[i + 1] = all->kernels[i];
        const pml_op_set s8_first = {ks, all->count + 1u};
        size_t need_s8 = 0;
        if (used && pml_interp_arena_size(&m, &s8_first, &need_s8, NULL) == PML_OK && need_s8 == need) {
            put(s8k[j].tag);
            put(s8k[j].op);
            put("\n");
        }
    }
    uintptr_t low = stack_low_water();
    put("probe_stack_peak_bytes ");
    put_u((size_t)((uintptr_t)__stack_top - low));
    put(" (below main: ");
    put_i((long)main_sp - (long)low);
    put(")\n");
    put("RESULT PROBE\n");
    return 0;
#else
    int ok = 1;
    st = pml_interp_arena_size(&m, &fw_ops, &need, &err);
    if (st != PML_OK) fail("pml_interp_arena_size", st, &err);
    put("arena_bytes ");
    put_u(need);
    put(need == sizeof arena ? " (= static arena)\n" : " (static arena differs: MISMATCH)\n");
    if (need != sizeof arena) ok = 0;

    pml_interp *it = NULL;
    /* One byte short: must fail cleanly and name the exact size. */
    st = pml_interp_init(&it, &m, &fw_ops, arena, sizeof arena - 1u, &err);
    if (st != PML_ERR_ARENA || err.arena_needed != sizeof arena || it != NULL) {
        put("arena-1: expected PML_ERR_ARENA needing ");
        put_u(sizeof arena);
        put(", got ");
        put(pml_status_str(st));
        put(" needing ");
        put_u(err.arena_needed);
        put(" (MISMATCH)\n");
        ok = 0;
    }
    /* The self-checks above run the measuring mode (planner workspace on the stack); a production
     * firmware calls only init with the exact arena and invoke. Record the peak so far, then
     * repaint and measure the production path on its own. */
    uintptr_t low_checks = stack_low_water();
    stack_paint();
    st = pml_interp_init(&it, &m, &fw_ops, arena, sizeof arena, &err);
    if (st != PML_OK) fail("pml_interp_init", st, &err);
    if (pml_interp_arena_used(it) != sizeof arena) {
        put("arena_used ");
        put_u(pml_interp_arena_used(it));
        put(" (MISMATCH)\n");
        ok = 0;
    }

    pml_tensor in, out;
    st = pml_interp_input(it, 0, &in);
    if (st != PML_OK) fail("pml_interp_input", st, NULL);
    size_t in_len = (size_t)(pml_fw_input_end - pml_fw_input);
    if (in.bytes != in_len) {
        put("input tensor has ");
        put_u(in.bytes);
        put(" bytes, the golden input ");
        put_u(in_len);
        put("\n");
        fail("input", PML_ERR_ARG, NULL);
    }
    memcpy(in.data, pml_fw_input, in_len);

    insn_region_begin(); /* region 0: empty, the marker overhead */
    insn_region_end();
    insn_region_begin(); /* region 1: one inference */
    st = pml_interp_invoke(it);
    insn_region_end();
    uintptr_t low = stack_low_water();
    if (st != PML_OK) {
        pml_interp_last_error(it, &err);
        fail("pml_interp_invoke", st, &err);
    }

    st = pml_interp_output(it, 0, &out);
    if (st != PML_OK) fail("pml_interp_output", st, NULL);
    size_t gold_len = (size_t)(pml_fw_golden_end - pml_fw_golden);
    put("output ");
    put_u(out.bytes);
    put(" bytes: ");
    put_hex_bytes((const uint8_t *)out.data, out.bytes);
    put("golden ");
    put_u(gold_len);
    put(" bytes: ");
    put_hex_bytes(pml_fw_golden, gold_len);
    if (out.bytes == gold_len && memcmp(out.data, pml_fw_golden, gold_len) == 0) {
        put("output vs golden: identical\n");
    } else {
        put("output vs golden: DIFFERENT\n");
        ok = 0;
    }

    /* production path: init with the exact arena + one invoke (startup and main's frame included) */
    put("prod_stack_peak_bytes ");
    put_u((size_t)((uintptr_t)__stack_top - low));
    put(" (init + invoke, from the top of RAM, startup included); below main: ");
    put_i((long)main_sp - (long)low);
    put("\n");
    /* whole run: self-checks (arena_size, one-byte-short init) included */
    if (low_checks < low) low = low_checks;
    put("stack_peak_bytes ");
    put_u((size_t)((uintptr_t)__stack_top - low));
    put(" (whole run incl. self-checks, from the top of RAM, startup included); below main: ");
    put_i((long)main_sp - (long)low);
    put("\n");
    if (low < (uintptr_t)__stack_limit) {
        put("stack overflowed its reservation (MISMATCH)\n");
        ok = 0;
    }
    put(ok ? "RESULT PASS\n" : "RESULT FAIL\n");
    return ok ? 0 : 1;
#endif
}
