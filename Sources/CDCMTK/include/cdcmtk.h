/* A small C API over DCMTK: open DICOM files, read attributes by path,
 * decode pixel data through DCMTK's codecs, and write CT instances.
 * All strings are UTF-8; error messages are written into caller buffers. */
#ifndef CDCMTK_H
#define CDCMTK_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cdcm_file cdcm_file;

/* Registers the decoders (JPEG, JPEG-LS, RLE) and silences DCMTK's logger.
 * Safe to call more than once and from several threads. */
void cdcm_initialize(void);

/* Deepest nesting of sequences cdcm_open accepts. DCMTK 3.6.7 parses sequences
 * recursively and has no depth limit (DcmItem::read / DcmSequenceOfItems::read),
 * so a file nested 20 000 deep overflows the stack; the file is pre-scanned first. */
#define CDCM_MAX_SEQUENCE_DEPTH 64

/* Opens a DICOM file. Large elements (pixel data) stay on disk until
 * cdcm_pixel_words is called. Returns NULL and fills err on failure, also
 * when sequences nest deeper than CDCM_MAX_SEQUENCE_DEPTH. */
cdcm_file *cdcm_open(const char *path, char *err, size_t err_len);
void cdcm_close(cdcm_file *file);

/* Looks up an attribute by a DCMTK path such as "(0020,0032)" or
 * "(5200,9230)[3].(0020,9113)[0].(0020,0032)" in the dataset. Writes the whole value (all components joined by '\\').
 * Returns the value length, -1 when absent, or -2 when buf is too small. */
long cdcm_get_string(cdcm_file *file, const char *path, char *buf, size_t buf_len);

/* Bytes of native (uncompressed) pixel data present, or -1 when the pixel
 * data are encapsulated (compressed) or absent. */
long long cdcm_pixel_data_length(cdcm_file *file);

/* The deepest sequence nesting in the file at path (the file is walked, values
 * skipped, without building a dataset), or -1 with err filled when the
 * nesting exceeds max_depth. Files whose structure cannot be followed return
 * the depth reached so far (DCMTK then reports their problem). */
long cdcm_sequence_depth(const char *path, long max_depth, char *err, size_t err_len);

/* The UID of the transfer syntax the dataset was read in. Returns its length. */
long cdcm_transfer_syntax(cdcm_file *file, char *buf, size_t buf_len);

/* 1 when an element exists at path (its value is not loaded), else 0. */
int cdcm_has(cdcm_file *file, const char *path);

/* Number of items in a sequence at path, or -1 when absent. */
long cdcm_sequence_count(cdcm_file *file, const char *path);

/* Decodes the pixel data (all frames) to native-endian 16-bit words (8-bit data are widened).
 * words must hold rows*columns*frames values; BitsAllocated must be 8 or 16.
 * Returns 0 on success, otherwise fills err. */
int cdcm_pixel_words(cdcm_file *file, uint16_t *words, size_t count, char *err, size_t err_len);

/* One attribute to write: a DCMTK path and its value as a DICOM string. */
typedef struct {
    const char *path;
    const char *value;
} cdcm_attribute;

/* Transfer syntaxes the writer can produce directly. */
typedef enum {
    CDCM_IMPLICIT_LITTLE = 0,
    CDCM_EXPLICIT_LITTLE = 1,
    CDCM_EXPLICIT_BIG = 2,
    CDCM_DEFLATED_LITTLE = 3
} cdcm_syntax;

/* Writes a DICOM Part 10 file with the given attributes and 16-bit pixel
 * words (native endian). Sequences in attribute paths are created as needed.
 * Returns 0 on success, otherwise fills err. */
int cdcm_write(const char *path, const cdcm_attribute *attributes, size_t attribute_count,
               const uint16_t *words, size_t word_count, cdcm_syntax syntax,
               char *err, size_t err_len);

#ifdef __cplusplus
}
#endif

#endif
