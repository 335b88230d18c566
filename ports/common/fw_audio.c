/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Bare-metal audio front-end benchmark (bench/audio_m4.sh): instructions per second of audio for
 * the two streaming front ends, counted by the insncount plugin between region markers.
 *   region 0: empty (the harness overhead, subtracted)
 *   region 1: wakeword LFBE front end, 16,384 samples pushed after a 512-sample prime = 32 frames
 *             = 1.024 s of new audio in steady state
 *   region 2: KWS MFCC front end, one 1 s clip (16,000 samples, 49 frames)
 * The input is a deterministic pseudo-random signal (the work does not depend on the data, except
 * for a few branches inside logf). Front-end memory is static, sized by pml_afe_mem_size, which the
 * firmware checks. No printf, no malloc.
 */
#include <stdint.h>
#include <string.h>

#include "board.h"
#include "fw_io.h"
#include "pml/pml_audio.h"

static float mem_ww[20820 / sizeof(float)], mem_kws[10892 / sizeof(float)];
static int16_t pcm[16384 + 512];

static uint32_t run(pml_afe *fe, const int16_t *x, uint32_t n) {
    uint32_t frames = 0, off = 0;
    while (off < n) {
        size_t used;
        if (pml_afe_push(fe, x + off, n - off, &used) != PML_OK) return 0;
        off += (uint32_t)used;
        const float *f;
        if (pml_afe_pull(fe, &f)) frames++;
    }
    return frames;
}

int main(void) {
    uint32_t s = 12345u;
    for (uint32_t i = 0; i < sizeof pcm / sizeof pcm[0]; i++) {
        s = s * 1103515245u + 12345u;
        pcm[i] = (int16_t)((int32_t)(s >> 16) - 32768) / 4;
    }
    pml_afe_config cw, ck;
    pml_afe_config_wakeword(&cw);
    pml_afe_config_kws(&ck);
    size_t nw, nk;
    pml_afe fw, fk;
    if (pml_afe_mem_size(&cw, &nw) != PML_OK || nw != sizeof mem_ww || pml_afe_mem_size(&ck, &nk) != PML_OK ||
        nk != sizeof mem_kws) {
        put("fw_audio: front-end memory size differs from the static buffers\n");
        board_exit(1);
    }
    if (pml_afe_init(&fw, &cw, mem_ww, sizeof mem_ww) != PML_OK || pml_afe_init(&fk, &ck, mem_kws, sizeof mem_kws) != PML_OK) {
        put("fw_audio: init failed\n");
        board_exit(1);
    }
    run(&fw, pcm, 512); /* prime: the first frame needs 1024 samples */
    insn_region_begin();
    insn_region_end();
    insn_region_begin();
    uint32_t a = run(&fw, pcm + 512, 16384);
    insn_region_end();
    insn_region_begin();
    uint32_t b = run(&fk, pcm, 16000);
    insn_region_end();
    put("fw_audio: wakeword frames ");
    put_u(a);
    put(" (memory ");
    put_u((uint32_t)nw);
    put(" B), kws frames ");
    put_u(b);
    put(" (memory ");
    put_u((uint32_t)nk);
    put(" B)\n");
    board_exit(a == 32 && b == 49 ? 0 : 1);
}
