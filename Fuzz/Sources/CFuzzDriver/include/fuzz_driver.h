/* libFuzzer's driver entry (compiler-rt FuzzerInterface.h, LLVM 11 and later): runs the fuzzing loop on
 * callback with libFuzzer's command-line options. The fuzz targets call it from their own main, because
 * SwiftPM renames an executable target's entry point and libFuzzer's main would then not be linked. */
#ifndef FUZZ_DRIVER_H
#define FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
