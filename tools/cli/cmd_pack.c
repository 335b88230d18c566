/* SPDX-License-Identifier: Apache-2.0 */
/*
 * picoml pack MODEL -o OUT.tflite [--target armv7em]: MODEL with FULLY_CONNECTED weights packed for
 * the Arm v7E-M DSP kernel (tools/pack/pml_pack_model.c; layout src/format/pml_packed.h). The
 * output is still a valid TFLite model that other runtimes run exactly as MODEL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "cmd_pack.h"
#include "pml_pack_model.h"

static int fail(int code, const char *fmt, const char *arg) {
    fprintf(stderr, "picoml: pack: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    return code;
}

int picoml_cmd_pack(int argc, char **argv) {
    const char *model = NULL, *outp = NULL, *target = "armv7em";
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "-o") && i + 1 < argc) outp = argv[++i];
        else if (!strcmp(argv[i], "--target") && i + 1 < argc) target = argv[++i];
        else if (argv[i][0] != '-' && !model) model = argv[i];
        else
            return fail(2, "unknown argument '%s' (usage: picoml pack MODEL -o OUT.tflite [--target armv7em])",
                        argv[i]);
    }
    if (!model || !outp) return fail(2, "%s", "usage: picoml pack MODEL -o OUT.tflite [--target armv7em]");
    if (strcmp(target, "armv7em") != 0) return fail(2, "unknown target '%s' (known: armv7em)", target);
    size_t len, olen;
    uint8_t *b = pml_cli_read_file_or_die(model, &len), *o;
    uint32_t n;
    const char *why = pml_pack_model(b, len, &o, &olen, &n);
    free(b);
    if (why) {
        fprintf(stderr, "picoml: pack: '%s': %s\n", model, why);
        return 1;
    }
    FILE *f = fopen(outp, "wb");
    const int ok = f && fwrite(o, 1, olen, f) == olen;
    if (f && fclose(f) != 0) return fail(1, "cannot write '%s'", outp);
    free(o);
    if (!ok) return fail(1, "cannot write '%s'", outp);
    printf("packed %u FULLY_CONNECTED op%s (target %s): %zu -> %zu bytes (+%zu)\n", (unsigned)n, n == 1 ? "" : "s",
           target, len, olen, olen - len);
    return 0;
}
