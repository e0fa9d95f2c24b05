// DCMTK behind a plain C API (see include/cdcmtk.h). Kept deliberately thin:
// geometry, sorting and HU conversion live in Swift (Imaging module).
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcpath.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

#include <zlib.h>

#include <cstdio>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

#include "cdcmtk.h"

struct cdcm_file {
    DcmFileFormat format;
};

namespace {

void copyMessage(const std::string &text, char *buf, size_t len) {
    if (buf == nullptr || len == 0) return;
    size_t n = text.size() < len - 1 ? text.size() : len - 1;
    std::memcpy(buf, text.data(), n);
    buf[n] = '\0';
}

// Elements at or above this size are left on disk until their value is asked for.
const Uint32 kLazyElementBytes = 4096;

DcmElement *findElement(cdcm_file *file, const char *path) {
    DcmItem *root = file->format.getDataset();
    DcmPathProcessor processor;
    if (processor.findOrCreatePath(root, OFString(path), OFFalse).bad()) return nullptr;
    OFList<DcmPath *> results;
    if (processor.getResults(results) == 0) return nullptr;
    DcmObject *obj = results.front()->back()->m_obj;
    if (obj == nullptr || obj->isLeaf() == OFFalse) return nullptr;
    return OFstatic_cast(DcmElement *, obj);
}

// Bytes of a file, read forwards only: plain, or inflated (deflated transfer syntax) from a given offset.
class ByteSource {
   public:
    explicit ByteSource(FILE *file) : file_(file) {}
    ~ByteSource() {
        if (inflating_) inflateEnd(&stream_);
    }
    uint64_t position() const { return position_; }

    bool read(uint8_t *out, size_t count) {
        if (!inflating_) {
            if (std::fread(out, 1, count, file_) != count) return false;
            position_ += count;
            return true;
        }
        stream_.next_out = out;
        stream_.avail_out = OFstatic_cast(uInt, count);
        while (stream_.avail_out > 0) {
            if (stream_.avail_in == 0) {
                size_t got = std::fread(input_, 1, sizeof input_, file_);
                if (got == 0) return false;
                stream_.next_in = input_;
                stream_.avail_in = OFstatic_cast(uInt, got);
            }
            int status = inflate(&stream_, Z_NO_FLUSH);
            if (status != Z_OK && !(status == Z_STREAM_END && stream_.avail_out == 0)) return false;
        }
        position_ += count;
        return true;
    }

    bool skip(uint64_t count) {
        if (!inflating_) {
            if (fseeko(file_, OFstatic_cast(off_t, count), SEEK_CUR) != 0) return false;
            position_ += count;
            return true;
        }
        uint8_t scratch[4096];
        while (count > 0) {
            size_t n = count < sizeof scratch ? OFstatic_cast(size_t, count) : sizeof scratch;
            if (!read(scratch, n)) return false;
            count -= n;
        }
        return true;
    }

    // From here on, bytes are raw deflate (RFC 1951), as the deflated transfer syntax stores the dataset.
    bool startInflating() {
        std::memset(&stream_, 0, sizeof stream_);
        if (inflateInit2(&stream_, -MAX_WBITS) != Z_OK) return false;
        inflating_ = true;
        return true;
    }

   private:
    FILE *file_;
    uint64_t position_ = 0;
    bool inflating_ = false;
    z_stream stream_;
    uint8_t input_[16384];
};

// Walks DICOM elements far enough to follow sequence nesting; values are skipped, nothing is allocated per
// element. The walk is iterative, so it cannot itself run out of stack.
class NestingScanner {
   public:
    explicit NestingScanner(ByteSource &source) : source_(source) {}
    bool little = true;
    bool explicitVR = true;

    bool u16(uint16_t &value) {
        uint8_t b[2];
        if (!source_.read(b, 2)) return false;
        value = little ? OFstatic_cast(uint16_t, b[0] | (b[1] << 8)) : OFstatic_cast(uint16_t, (b[0] << 8) | b[1]);
        return true;
    }
    bool u32(uint32_t &value) {
        uint8_t b[4];
        if (!source_.read(b, 4)) return false;
        value = little ? (uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24)
                       : (uint32_t(b[3]) | uint32_t(b[2]) << 8 | uint32_t(b[1]) << 16 | uint32_t(b[0]) << 24);
        return true;
    }

    static bool hasLongLength(const char vr[2]) {
        static const char *const kinds[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"};
        for (const char *kind : kinds)
            if (vr[0] == kind[0] && vr[1] == kind[1]) return true;
        return false;
    }

    // Returns the deepest nesting seen, or -1 as soon as it exceeds maxDepth.
    long walk(long maxDepth) {
        const uint32_t undefined = 0xFFFFFFFFu;
        const uint64_t open = ~uint64_t(0);
        struct Container {
            bool sequence;
            uint64_t end;
        };
        std::vector<Container> stack;
        long depth = 0, deepest = 0;
        while (true) {
            while (!stack.empty() && stack.back().end != open && source_.position() >= stack.back().end) {
                if (stack.back().sequence) --depth;
                stack.pop_back();
            }
            uint16_t group, element;
            if (!u16(group) || !u16(element)) return deepest;
            if (group == 0xFFFE) {
                uint32_t length;
                if (!u32(length)) return deepest;
                if (element == 0xE000 && !stack.empty() && stack.back().sequence) {
                    stack.push_back({false, length == undefined ? open : source_.position() + length});
                } else if (element == 0xE00D && !stack.empty() && !stack.back().sequence) {
                    stack.pop_back();
                } else if (element == 0xE0DD) {
                    if (!stack.empty() && !stack.back().sequence) stack.pop_back();
                    if (!stack.empty() && stack.back().sequence) {
                        stack.pop_back();
                        --depth;
                    }
                } else if (length != undefined && !source_.skip(length)) {
                    return deepest;
                }
                continue;
            }
            char vr[2] = {0, 0};
            uint32_t length = 0;
            if (explicitVR) {
                if (!source_.read(OFreinterpret_cast(uint8_t *, vr), 2)) return deepest;
                if (hasLongLength(vr)) {
                    uint16_t reserved;
                    if (!u16(reserved) || !u32(length)) return deepest;
                } else {
                    uint16_t shortLength;
                    if (!u16(shortLength)) return deepest;
                    length = shortLength;
                }
            } else if (!u32(length)) {
                return deepest;
            }
            bool pixelData = group == 0x7FE0 && element == 0x0010;
            bool sequence = (vr[0] == 'S' && vr[1] == 'Q') || (length == undefined && !pixelData);
            if (!sequence && length == undefined) {
                // Encapsulated pixel data: fragments up to the sequence delimiter.
                while (true) {
                    uint16_t g, e;
                    uint32_t l;
                    if (!u16(g) || !u16(e) || !u32(l) || g != 0xFFFE) return deepest;
                    if (e == 0xE0DD) break;
                    if (l == undefined || !source_.skip(l)) return deepest;
                }
                continue;
            }
            if (!sequence && !explicitVR && length >= 8) {
                // Implicit VR: a sequence of defined length is known by its first item tag.
                uint16_t g, e;
                if (!u16(g) || !u16(e)) return deepest;
                if (g == 0xFFFE && e == 0xE000) {
                    if (++depth > maxDepth) return -1;
                    if (depth > deepest) deepest = depth;
                    uint64_t end = source_.position() - 4 + length;
                    uint32_t itemLength;
                    if (!u32(itemLength)) return deepest;
                    stack.push_back({true, end});
                    stack.push_back({false, itemLength == undefined ? open : source_.position() + itemLength});
                    continue;
                }
                if (!source_.skip(length - 4)) return deepest;
                continue;
            }
            if (sequence) {
                if (++depth > maxDepth) return -1;
                if (depth > deepest) deepest = depth;
                stack.push_back({true, length == undefined ? open : source_.position() + length});
                continue;
            }
            if (!source_.skip(length)) return deepest;
        }
    }

   private:
    ByteSource &source_;
};

}  // namespace

extern "C" {

long cdcm_sequence_depth(const char *path, long max_depth, char *err, size_t err_len) {
    FILE *file = std::fopen(path, "rb");
    if (file == nullptr) return 0;
    ByteSource source(file);
    NestingScanner scanner(source);
    uint8_t head[132] = {0};
    bool part10 = source.read(head, 132) && std::memcmp(head + 128, "DICM", 4) == 0;
    if (part10) {
        // File meta information: explicit VR little endian, group 0002; it names the dataset's transfer syntax.
        std::string syntax;
        while (true) {
            uint8_t tag[6];
            if (!source.read(tag, 6)) break;
            uint16_t group = OFstatic_cast(uint16_t, tag[0] | (tag[1] << 8));
            uint16_t element = OFstatic_cast(uint16_t, tag[2] | (tag[3] << 8));
            if (group != 0x0002) break;  // the dataset starts at this element
            uint32_t length;
            char vr[2] = {OFstatic_cast(char, tag[4]), OFstatic_cast(char, tag[5])};
            if (NestingScanner::hasLongLength(vr)) {
                uint8_t b[6];
                if (!source.read(b, 6)) break;
                length = uint32_t(b[2]) | uint32_t(b[3]) << 8 | uint32_t(b[4]) << 16 | uint32_t(b[5]) << 24;
            } else {
                uint8_t b[2];
                if (!source.read(b, 2)) break;
                length = uint32_t(b[0]) | uint32_t(b[1]) << 8;
            }
            if (element == 0x0010 && length < 256) {
                char value[256];
                if (!source.read(OFreinterpret_cast(uint8_t *, value), length)) break;
                syntax.assign(value, length);
                while (!syntax.empty() && (syntax.back() == '\0' || syntax.back() == ' ')) syntax.pop_back();
            } else if (!source.skip(length)) {
                break;
            }
        }
        uint64_t datasetStart = source.position() - 6;
        std::fclose(file);
        file = std::fopen(path, "rb");
        if (file == nullptr) return 0;
        ByteSource restarted(file);
        if (!restarted.skip(datasetStart)) {
            std::fclose(file);
            return 0;
        }
        NestingScanner dataset(restarted);
        dataset.explicitVR = syntax != "1.2.840.10008.1.2";
        dataset.little = syntax != "1.2.840.10008.1.2.2";
        if (syntax == "1.2.840.10008.1.2.1.99" && !restarted.startInflating()) {
            std::fclose(file);
            return 0;
        }
        long depth = dataset.walk(max_depth);
        std::fclose(file);
        if (depth < 0) copyMessage("sequences nested deeper than " + std::to_string(max_depth) + " levels", err, err_len);
        return depth;
    }
    // No preamble: a bare dataset, explicit VR when the bytes after the first tag look like a VR.
    std::rewind(file);
    ByteSource bare(file);
    NestingScanner dataset(bare);
    dataset.explicitVR = head[4] >= 'A' && head[4] <= 'Z' && head[5] >= 'A' && head[5] <= 'Z';
    long depth = dataset.walk(max_depth);
    std::fclose(file);
    if (depth < 0) copyMessage("sequences nested deeper than " + std::to_string(max_depth) + " levels", err, err_len);
    return depth;
}

void cdcm_initialize(void) {
    static std::once_flag once;
    std::call_once(once, [] {
        OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
        DJDecoderRegistration::registerCodecs();
        DJLSDecoderRegistration::registerCodecs();
        DcmRLEDecoderRegistration::registerCodecs();
    });
}

cdcm_file *cdcm_open(const char *path, char *err, size_t err_len) {
    cdcm_initialize();
    if (cdcm_sequence_depth(path, CDCM_MAX_SEQUENCE_DEPTH, err, err_len) < 0) return nullptr;
    cdcm_file *file = new cdcm_file();
    OFCondition status = file->format.loadFile(OFFilename(path), EXS_Unknown, EGL_noChange, kLazyElementBytes,
                                               ERM_autoDetect);
    if (status.bad()) {
        copyMessage(status.text(), err, err_len);
        delete file;
        return nullptr;
    }
    return file;
}

void cdcm_close(cdcm_file *file) { delete file; }

long cdcm_get_string(cdcm_file *file, const char *path, char *buf, size_t buf_len) {
    DcmElement *element = findElement(file, path);
    if (element == nullptr) return -1;
    OFString value;
    if (element->getOFStringArray(value).bad()) return -1;
    if (value.size() + 1 > buf_len) return -2;
    std::memcpy(buf, value.c_str(), value.size() + 1);
    return OFstatic_cast(long, value.size());
}

long cdcm_transfer_syntax(cdcm_file *file, char *buf, size_t buf_len) {
    DcmXfer xfer(file->format.getDataset()->getOriginalXfer());
    std::string uid = xfer.getXferID();
    if (uid.size() + 1 > buf_len) return -2;
    std::memcpy(buf, uid.c_str(), uid.size() + 1);
    return OFstatic_cast(long, uid.size());
}

long long cdcm_pixel_data_length(cdcm_file *file) {
    DcmDataset *dataset = file->format.getDataset();
    if (DcmXfer(dataset->getOriginalXfer()).isEncapsulated()) return -1;
    DcmElement *element = nullptr;
    if (dataset->findAndGetElement(DCM_PixelData, element).bad() || element == nullptr) return -1;
    return OFstatic_cast(long long, element->getLength());
}

int cdcm_has(cdcm_file *file, const char *path) { return findElement(file, path) != nullptr ? 1 : 0; }

long cdcm_sequence_count(cdcm_file *file, const char *path) {
    DcmPathProcessor processor;
    if (processor.findOrCreatePath(file->format.getDataset(), OFString(path), OFFalse).bad()) return -1;
    OFList<DcmPath *> results;
    if (processor.getResults(results) == 0) return -1;
    DcmObject *obj = results.front()->back()->m_obj;
    if (obj == nullptr || obj->ident() != EVR_SQ) return -1;
    return OFstatic_cast(long, OFstatic_cast(DcmSequenceOfItems *, obj)->card());
}

int cdcm_pixel_words(cdcm_file *file, uint16_t *words, size_t count, char *err, size_t err_len) {
    DcmDataset *dataset = file->format.getDataset();
    E_TransferSyntax original = dataset->getOriginalXfer();
    DcmXfer xfer(original);
    if (xfer.isEncapsulated()) {
        OFCondition status = dataset->chooseRepresentation(EXS_LittleEndianExplicit, nullptr);
        if (status.bad() || !dataset->canWriteXfer(EXS_LittleEndianExplicit)) {
            copyMessage(std::string("cannot decode pixel data of transfer syntax ") + xfer.getXferName() + ": " +
                            status.text(),
                        err, err_len);
            return 1;
        }
    }
    Uint16 bitsAllocated = 16;
    dataset->findAndGetUint16(DCM_BitsAllocated, bitsAllocated);
    // 8-bit images (e.g. JPEG baseline) are widened to 16-bit words.
    const Uint8 *bytes = nullptr;
    const Uint16 *data = nullptr;
    unsigned long available = 0;
    OFCondition status = bitsAllocated == 8 ? dataset->findAndGetUint8Array(DCM_PixelData, bytes, &available, OFFalse)
                                            : dataset->findAndGetUint16Array(DCM_PixelData, data, &available, OFFalse);
    if (status.bad() || (bytes == nullptr && data == nullptr)) {
        copyMessage("no readable " + std::to_string(bitsAllocated) + "-bit pixel data: " + status.text(), err, err_len);
        return 1;
    }
    if (available < count) {
        copyMessage("pixel data holds " + std::to_string(available) + " values, expected " + std::to_string(count),
                    err, err_len);
        return 1;
    }
    if (bytes != nullptr) {
        for (size_t i = 0; i < count; ++i) words[i] = bytes[i];
    } else {
        std::memcpy(words, data, count * sizeof(Uint16));
    }
    return 0;
}

int cdcm_write(const char *path, const cdcm_attribute *attributes, size_t attribute_count, const uint16_t *words,
               size_t word_count, cdcm_syntax syntax, char *err, size_t err_len) {
    cdcm_initialize();
    DcmFileFormat format;
    DcmDataset *dataset = format.getDataset();
    for (size_t i = 0; i < attribute_count; ++i) {
        DcmPathProcessor processor;
        OFCondition status = processor.findOrCreatePath(dataset, OFString(attributes[i].path), OFTrue);
        DcmObject *obj = nullptr;
        if (status.good()) {
            OFList<DcmPath *> results;
            if (processor.getResults(results) > 0) obj = results.front()->back()->m_obj;
        }
        if (obj == nullptr || obj->isLeaf() == OFFalse) {
            copyMessage(std::string("cannot create attribute ") + attributes[i].path + ": " + status.text(), err,
                        err_len);
            return 1;
        }
        status = OFstatic_cast(DcmElement *, obj)->putString(attributes[i].value);
        if (status.bad()) {
            copyMessage(std::string("bad value for ") + attributes[i].path + ": " + status.text(), err, err_len);
            return 1;
        }
    }
    OFCondition status = dataset->putAndInsertUint16Array(DCM_PixelData, words, OFstatic_cast(unsigned long, word_count));
    if (status.bad()) {
        copyMessage(std::string("cannot store pixel data: ") + status.text(), err, err_len);
        return 1;
    }
    E_TransferSyntax xfer = EXS_LittleEndianExplicit;
    switch (syntax) {
        case CDCM_IMPLICIT_LITTLE: xfer = EXS_LittleEndianImplicit; break;
        case CDCM_EXPLICIT_LITTLE: xfer = EXS_LittleEndianExplicit; break;
        case CDCM_EXPLICIT_BIG: xfer = EXS_BigEndianExplicit; break;
        case CDCM_DEFLATED_LITTLE: xfer = EXS_DeflatedLittleEndianExplicit; break;
    }
    status = format.saveFile(OFFilename(path), xfer, EET_ExplicitLength, EGL_recalcGL, EPD_noChange, 0, 0,
                             EWM_createNewMeta);
    if (status.bad()) {
        copyMessage(std::string("cannot write ") + path + ": " + status.text(), err, err_len);
        return 1;
    }
    return 0;
}

}  // extern "C"
