// DCMTK behind a plain C API (see include/cdcmtk.h). Kept deliberately thin:
// geometry, sorting and HU conversion live in Swift (Imaging module).
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmdata/dcpath.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

#include <cstring>
#include <mutex>
#include <string>

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

}  // namespace

extern "C" {

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
