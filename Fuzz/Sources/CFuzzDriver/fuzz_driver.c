/* Header-only module: the declaration in include/fuzz_driver.h is all the fuzz targets need. */
#include "fuzz_driver.h"
