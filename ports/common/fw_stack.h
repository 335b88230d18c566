/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Peak stack measurement of the target firmwares (fw_main.c, fw_train.c): stack_paint() fills the
 * free RAM between the end of .data/.bss and the stack pointer with a pattern, stack_low_water()
 * finds the lowest word that no longer holds it (peak stack = __stack_top - that address).
 * Cortex-M and RISC-V only (not the host build).
 */
#ifndef PML_FW_STACK_H
#define PML_FW_STACK_H
#include <stdint.h>

#include "board.h"

#define STACK_PAINT 0xC5A3E17Bu
#define STACK_MARGIN 256 /* bytes below the painting frame's sp left unpainted */

__attribute__((unused)) static inline uintptr_t current_sp(void) {
    uintptr_t sp;
#if defined(__arm__)
    __asm__ volatile("mov %0, sp" : "=r"(sp));
#elif defined(__riscv)
    __asm__ volatile("mv %0, sp" : "=r"(sp));
#else
#error "unknown architecture"
#endif
    return sp;
}

/* Fill [end of .data/.bss, sp - STACK_MARGIN) with the pattern. noinline: its own frame is small
 * and sits inside the margin. */
__attribute__((unused, noinline)) static void stack_paint(void) {
    uintptr_t lo = ((uintptr_t)__ram_static_end + 3u) & ~(uintptr_t)3u;
    uintptr_t hi = (current_sp() - STACK_MARGIN) & ~(uintptr_t)3u;
    for (volatile uint32_t *p = (volatile uint32_t *)lo; (uintptr_t)p < hi; p++) *p = STACK_PAINT;
}

/* Lowest address whose word no longer holds the pattern. */
__attribute__((unused, noinline)) static uintptr_t stack_low_water(void) {
    uintptr_t lo = ((uintptr_t)__ram_static_end + 3u) & ~(uintptr_t)3u;
    const volatile uint32_t *p = (const volatile uint32_t *)lo;
    while ((uintptr_t)p < (uintptr_t)__stack_top && *p == STACK_PAINT) p++;
    return (uintptr_t)p;
}

#endif
