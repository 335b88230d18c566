/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The training firmware's embedded data, read-only ("flash"): the model and the training samples
 * (format: ports/common/fw_train.c). Files given by the build: -DFW_MODEL_FILE='"models/x.tflite"'
 * -DFW_SAMPLES_FILE='"....bin"'. The same file assembles for the Cortex-M target and for the host
 * twin (ELF on both).
 */
#define BLOB(sect, name, file)          \
    .section sect, "a";                 \
    .balign 16;                         \
    .global name;                       \
name:                                   \
    .incbin file;                       \
    .global name##_end;                 \
name##_end:                             \
    .balign 1

BLOB(.rodata.pml_fw_model, pml_fw_model, FW_MODEL_FILE)
BLOB(.rodata.pml_fw_samples, pml_fw_samples, FW_SAMPLES_FILE)
#if defined(__linux__) && defined(__ELF__)
    .section .note.GNU-stack, "", %progbits
#endif
