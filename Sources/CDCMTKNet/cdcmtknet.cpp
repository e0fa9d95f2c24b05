// DCMTK's DcmSCU behind a plain C API (see include/cdcmtknet.h). Queries, retrieval and storage are
// DCMTK's; this file only sets up associations, classifies their failures and names received files.
#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmnet/assoc.h"
#include "dcmtk/dcmnet/cond.h"
#include "dcmtk/dcmnet/diutil.h"
#include "dcmtk/dcmnet/scp.h"
#include "dcmtk/dcmnet/scu.h"
#include "dcmtk/oflog/oflog.h"

#include <atomic>
#include <cstring>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "cdcmtknet.h"

namespace {

void setMessage(cdnet_error *error, const std::string &text) {
    size_t n = text.size() < sizeof error->message - 1 ? text.size() : sizeof error->message - 1;
    std::memcpy(error->message, text.data(), n);
    error->message[n] = '\0';
}

int fail(cdnet_error *error, cdnet_outcome outcome, const std::string &text) {
    error->outcome = outcome;
    setMessage(error, text);
    return outcome;
}

void clear(cdnet_error *error) {
    std::memset(error, 0, sizeof *error);
    error->index = -1;
}

// Transfer syntaxes offered for received objects: uncompressed first, then the lossless codecs the
// Imaging module decodes, so a PACS can send what it stores without transcoding.
const OFList<OFString> &receivedSyntaxes() {
    static const OFList<OFString> list = [] {
        OFList<OFString> syntaxes;
        syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
        syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
        syntaxes.push_back(UID_JPEGProcess14SV1TransferSyntax);
        syntaxes.push_back(UID_JPEGLSLosslessTransferSyntax);
        syntaxes.push_back(UID_RLELosslessTransferSyntax);
        syntaxes.push_back(UID_DeflatedExplicitVRLittleEndianTransferSyntax);
        return syntaxes;
    }();
    return list;
}

// Storage SOP classes a pull accepts: CT (single- and multi-frame) and what CementReport writes back or
// a CT study commonly carries (secondary captures, segmentations, structured reports, presentation states).
const char *const kReceivedStorageClasses[] = {
    UID_CTImageStorage,
    UID_EnhancedCTImageStorage,
    UID_LegacyConvertedEnhancedCTImageStorage,
    UID_SecondaryCaptureImageStorage,
    UID_SegmentationStorage,
    UID_ComprehensiveSRStorage,
    UID_Comprehensive3DSRStorage,
    UID_EnhancedSRStorage,
    UID_BasicTextSRStorage,
    UID_GrayscaleSoftcopyPresentationStateStorage,
    UID_RawDataStorage,
};

bool isUID(const OFString &text) {
    if (text.empty() || text.size() > 64) return false;
    for (size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (!((c >= '0' && c <= '9') || c == '.')) return false;
    }
    return true;
}

// Writes one received instance as folder/SOPInstanceUID.dcm (the UID is checked to be digits and dots, so it
// cannot name another folder) and returns the C-STORE status; takes ownership of the dataset. The first
// problem is kept in problem.
Uint16 storeInstance(DcmDataset *incomingObject, const std::string &folder, unsigned long &received,
                     std::string &problem) {
    if (incomingObject == nullptr) return STATUS_STORE_Error_CannotUnderstand;
    OFString instanceUID;
    incomingObject->findAndGetOFString(DCM_SOPInstanceUID, instanceUID);
    E_TransferSyntax syntax = incomingObject->getOriginalXfer();
    if (!isUID(instanceUID)) {
        delete incomingObject;
        if (problem.empty()) problem = "an instance without a valid SOPInstanceUID (0008,0018) was refused";
        return STATUS_STORE_Error_CannotUnderstand;
    }
    std::string path = folder + "/" + instanceUID.c_str() + ".dcm";
    DcmFileFormat file(incomingObject, OFFalse);
    OFCondition saved = file.saveFile(OFFilename(path.c_str()), syntax == EXS_Unknown ? EXS_LittleEndianExplicit : syntax);
    if (saved.bad()) {
        if (problem.empty()) problem = std::string("cannot write ") + path + ": " + saved.text();
        return STATUS_STORE_Refused_OutOfResources;
    }
    ++received;
    return STATUS_Success;
}

// The storage SCP of a C-MOVE: accepts the storage classes of a pull (and C-ECHO), writes instances as
// storeInstance does, and leaves its listen loop at the first connection timeout after `stop` is set.
class MoveReceiver : public DcmSCP {
   public:
    std::string folder;
    unsigned long received = 0;
    std::string storeProblem;
    std::atomic<bool> stop{false};

    OFCondition handleIncomingCommand(T_DIMSE_Message *message, const DcmPresentationContextInfo &info) override {
        if (message->CommandField != DIMSE_C_STORE_RQ) return DcmSCP::handleIncomingCommand(message, info);
        T_DIMSE_C_StoreRQ &request = message->msg.CStoreRQ;
        DcmDataset *dataset = nullptr;
        OFCondition status = receiveSTORERequest(request, info.presentationContextID, dataset);
        if (status.bad()) {
            delete dataset;
            return status;
        }
        Uint16 answer = storeInstance(dataset, folder, received, storeProblem);
        return sendSTOREResponse(info.presentationContextID, request, answer);
    }

    OFBool stopAfterConnectionTimeout() override { return stop.load(); }
};

// A DcmSCU that reports C-FIND matches as they arrive, stores C-GET sub-operations with storeInstance and
// keeps the last C-GET or C-MOVE status.
class SCU : public DcmSCU {
   public:
    cdnet_match_fn onMatch = nullptr;
    void *context = nullptr;
    const cdnet_key *keys = nullptr;
    size_t keyCount = 0;
    Uint16 lastStatus = 0;
    unsigned long received = 0;
    std::string folder;
    std::string storeProblem;

    OFCondition handleFINDResponse(const T_ASC_PresentationContextID presID, QRResponse *response,
                                   OFBool &waitForNextResponse) override {
        OFCondition result = DcmSCU::handleFINDResponse(presID, response, waitForNextResponse);
        lastStatus = response->m_status;
        if (DICOM_PENDING_STATUS(response->m_status) && response->m_dataset != nullptr && onMatch != nullptr) {
            std::vector<std::string> values(keyCount);
            std::vector<cdnet_key> filled(keyCount);
            for (size_t i = 0; i < keyCount; ++i) {
                OFString value;
                response->m_dataset->findAndGetOFStringArray(DcmTagKey(keys[i].group, keys[i].element), value);
                values[i] = value.c_str();
            }
            for (size_t i = 0; i < keyCount; ++i) filled[i] = {keys[i].group, keys[i].element, values[i].c_str()};
            onMatch(context, filled.data(), keyCount);
        }
        return result;
    }

    OFCondition handleCGETResponse(const T_ASC_PresentationContextID presID, RetrieveResponse *response,
                                   OFBool &continueCGETSession) override {
        lastStatus = response->m_status;
        return DcmSCU::handleCGETResponse(presID, response, continueCGETSession);
    }

    OFCondition handleSTORERequest(const T_ASC_PresentationContextID, DcmDataset *incomingObject,
                                   OFBool &continueCGETSession, Uint16 &cStoreReturnStatus) override {
        continueCGETSession = OFTrue;
        if (incomingObject == nullptr) {
            cStoreReturnStatus = STATUS_STORE_Error_CannotUnderstand;
            return DIMSE_NULLKEY;
        }
        cStoreReturnStatus = storeInstance(incomingObject, folder, received, storeProblem);
        return EC_Normal;
    }

    OFCondition handleMOVEResponse(const T_ASC_PresentationContextID presID, RetrieveResponse *response,
                                   OFBool &waitForNextResponse) override {
        lastStatus = response->m_status;
        return DcmSCU::handleMOVEResponse(presID, response, waitForNextResponse);
    }
};

void configure(SCU &scu, const cdnet_peer *peer) {
    scu.setAETitle(peer->calling_ae);
    scu.setPeerAETitle(peer->called_ae);
    scu.setPeerHostName(peer->host);
    scu.setPeerPort(peer->port);
    scu.setConnectionTimeout(peer->connect_timeout);
    scu.setACSETimeout(OFstatic_cast(Uint32, peer->acse_timeout));
    scu.setDIMSETimeout(OFstatic_cast(Uint32, peer->dimse_timeout));
    scu.setDIMSEBlockingMode(DIMSE_NONBLOCKING);
    scu.setMaxReceivePDULength(ASC_DEFAULTMAXPDU);
}

// DcmSCU only logs why an association was rejected; one more request through the ASC layer reads the
// A-ASSOCIATE-RJ's result, source and reason.
void readRejection(const cdnet_peer *peer, cdnet_error *error) {
    T_ASC_Network *net = nullptr;
    if (ASC_initializeNetwork(NET_REQUESTOR, 0, peer->acse_timeout, &net).bad()) return;
    T_ASC_Parameters *params = nullptr;
    if (ASC_createAssociationParameters(&params, ASC_DEFAULTMAXPDU).good()) {
        ASC_setAPTitles(params, peer->calling_ae, peer->called_ae, nullptr);
        std::string address = std::string(peer->host) + ":" + std::to_string(peer->port);
        ASC_setPresentationAddresses(params, OFStandard::getHostName().c_str(), address.c_str());
        const char *syntaxes[] = {UID_LittleEndianImplicitTransferSyntax};
        ASC_addPresentationContext(params, 1, UID_VerificationSOPClass, syntaxes, 1);
        T_ASC_Association *assoc = nullptr;
        OFCondition status = ASC_requestAssociation(net, params, &assoc);
        if (status == DUL_ASSOCIATIONREJECTED) {
            T_ASC_RejectParameters rejection;
            if (ASC_getRejectParameters(params, &rejection).good()) {
                error->reject_result = rejection.result;
                error->reject_source = rejection.source;
                error->reject_reason = rejection.reason;
            }
        } else if (status.good()) {
            ASC_abortAssociation(assoc);
        }
        if (assoc != nullptr) {
            ASC_destroyAssociation(&assoc);
        } else {
            ASC_destroyAssociationParameters(&params);
        }
    }
    ASC_dropNetwork(&net);
}

int classify(OFCondition condition, const cdnet_peer *peer, cdnet_error *error) {
    if (condition == DUL_ASSOCIATIONREJECTED) {
        readRejection(peer, error);
        return fail(error, CDNET_REJECTED, "association rejected");
    }
    if (condition.module() == OFM_dcmnet && condition.code() == DULC_TCPINITERROR)
        return fail(error, CDNET_UNREACHABLE, condition.text());
    if (condition == DUL_REQUESTASSOCIATIONFAILED) return fail(error, CDNET_UNREACHABLE, condition.text());
    if (condition == DUL_READTIMEOUT || condition == DIMSE_NODATAAVAILABLE)
        return fail(error, CDNET_TIMEOUT, condition.text());
    if (condition == DUL_PEERABORTEDASSOCIATION || condition == DUL_NETWORKCLOSED ||
        condition == DUL_PEERREQUESTEDRELEASE)
        return fail(error, CDNET_ABORTED, condition.text());
    if (condition == NET_EC_NoAcceptablePresentationContexts || condition == DIMSE_NOVALIDPRESENTATIONCONTEXTID)
        return fail(error, CDNET_UNSUPPORTED, condition.text());
    return fail(error, CDNET_LOCAL, condition.text());
}

// initNetwork + negotiateAssociation; returns the outcome.
int connect(SCU &scu, const cdnet_peer *peer, cdnet_error *error) {
    OFCondition status = scu.initNetwork();
    if (status.bad()) return fail(error, CDNET_LOCAL, std::string("cannot set up the network: ") + status.text());
    status = scu.negotiateAssociation();
    if (status.bad()) return classify(status, peer, error);
    return CDNET_OK;
}

void finish(SCU &scu, bool ok) {
    if (!scu.isConnected()) return;
    if (ok) {
        scu.releaseAssociation();
    } else {
        scu.abortAssociation();
    }
}

bool fillQuery(DcmDataset &query, const char *level, const cdnet_key *keys, size_t count) {
    if (query.putAndInsertString(DCM_QueryRetrieveLevel, level).bad()) return false;
    for (size_t i = 0; i < count; ++i) {
        if (query.putAndInsertString(DcmTagKey(keys[i].group, keys[i].element), keys[i].value).bad()) return false;
    }
    return true;
}

}  // namespace

extern "C" {

void cdnet_initialize(void) {
    static std::once_flag once;
    std::call_once(once, [] { OFLog::configure(OFLogger::FATAL_LOG_LEVEL); });
    OFLog::getLogger("dcmtk.dcmnet").setLogLevel(OFLogger::OFF_LOG_LEVEL);
}

int cdnet_echo(const cdnet_peer *peer, cdnet_error *error) {
    cdnet_initialize();
    clear(error);
    SCU scu;
    configure(scu, peer);
    OFList<OFString> syntaxes;
    syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
    syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
    scu.addPresentationContext(UID_VerificationSOPClass, syntaxes);
    int outcome = connect(scu, peer, error);
    if (outcome != CDNET_OK) return outcome;
    OFCondition status = scu.sendECHORequest(0);
    if (status.bad()) {
        outcome = classify(status, peer, error);
        finish(scu, false);
        return outcome;
    }
    finish(scu, true);
    return CDNET_OK;
}

int cdnet_find(const cdnet_peer *peer, const char *level, const cdnet_key *keys, size_t count,
               cdnet_match_fn on_match, void *context, cdnet_error *error) {
    cdnet_initialize();
    clear(error);
    DcmDataset query;
    if (!fillQuery(query, level, keys, count)) return fail(error, CDNET_LOCAL, "invalid query key");
    SCU scu;
    configure(scu, peer);
    OFList<OFString> syntaxes;
    syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
    syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
    scu.addPresentationContext(UID_FINDStudyRootQueryRetrieveInformationModel, syntaxes);
    int outcome = connect(scu, peer, error);
    if (outcome != CDNET_OK) return outcome;
    T_ASC_PresentationContextID context_id =
        scu.findPresentationContextID(UID_FINDStudyRootQueryRetrieveInformationModel, "");
    if (context_id == 0) {
        finish(scu, true);
        return fail(error, CDNET_UNSUPPORTED, "the peer does not offer Study Root C-FIND");
    }
    scu.onMatch = on_match;
    scu.context = context;
    scu.keys = keys;
    scu.keyCount = count;
    OFCondition status = scu.sendFINDRequest(context_id, &query, nullptr);
    if (status.bad()) {
        outcome = classify(status, peer, error);
        finish(scu, false);
        return outcome;
    }
    finish(scu, true);
    if (scu.lastStatus != STATUS_Success) {
        error->dimse_status = scu.lastStatus;
        return fail(error, CDNET_STATUS, "C-FIND failed");
    }
    return CDNET_OK;
}

int cdnet_get(const cdnet_peer *peer, const char *level, const cdnet_key *keys, size_t count,
              const char *folder, unsigned long *received, cdnet_error *error) {
    cdnet_initialize();
    clear(error);
    *received = 0;
    DcmDataset query;
    if (!fillQuery(query, level, keys, count)) return fail(error, CDNET_LOCAL, "invalid query key");
    SCU scu;
    configure(scu, peer);
    scu.folder = folder;
    OFList<OFString> syntaxes;
    syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
    syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
    scu.addPresentationContext(UID_GETStudyRootQueryRetrieveInformationModel, syntaxes);
    for (const char *storageClass : kReceivedStorageClasses) {
        scu.addPresentationContext(storageClass, receivedSyntaxes(), ASC_SC_ROLE_SCP);
    }
    int outcome = connect(scu, peer, error);
    if (outcome != CDNET_OK) return outcome;
    T_ASC_PresentationContextID context_id =
        scu.findPresentationContextID(UID_GETStudyRootQueryRetrieveInformationModel, "");
    if (context_id == 0) {
        finish(scu, true);
        return fail(error, CDNET_UNSUPPORTED, "the peer does not offer Study Root C-GET");
    }
    OFCondition status = scu.sendCGETRequest(context_id, &query, nullptr);
    *received = scu.received;
    if (status.bad()) {
        outcome = classify(status, peer, error);
        finish(scu, false);
        return outcome;
    }
    finish(scu, true);
    if (!scu.storeProblem.empty()) return fail(error, CDNET_LOCAL, scu.storeProblem);
    if (scu.lastStatus != STATUS_Success) {
        error->dimse_status = scu.lastStatus;
        return fail(error, CDNET_STATUS, "C-GET did not complete");
    }
    return CDNET_OK;
}

int cdnet_move(const cdnet_peer *peer, const char *level, const cdnet_key *keys, size_t count,
               const char *move_ae, uint16_t move_port, const char *folder, unsigned long *received,
               cdnet_error *error) {
    cdnet_initialize();
    clear(error);
    *received = 0;
    DcmDataset query;
    if (!fillQuery(query, level, keys, count)) return fail(error, CDNET_LOCAL, "invalid query key");
    MoveReceiver receiver;
    receiver.folder = folder;
    receiver.setAETitle(move_ae);
    receiver.setPort(move_port);
    receiver.setConnectionBlockingMode(DUL_NOBLOCK);
    receiver.setConnectionTimeout(1);
    receiver.setACSETimeout(OFstatic_cast(Uint32, peer->acse_timeout));
    receiver.setDIMSETimeout(OFstatic_cast(Uint32, peer->dimse_timeout));
    receiver.setHostLookupEnabled(OFFalse);
    OFList<OFString> echoSyntaxes;
    echoSyntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
    echoSyntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
    receiver.addPresentationContext(UID_VerificationSOPClass, echoSyntaxes);
    for (const char *storageClass : kReceivedStorageClasses) {
        receiver.addPresentationContext(storageClass, receivedSyntaxes());
    }
    // The port is bound before the C-MOVE is sent, so the peer's first connection finds it open.
    OFCondition listening = receiver.openListenPort();
    if (listening.bad())
        return fail(error, CDNET_LOCAL, std::string("cannot listen on port ") + std::to_string(move_port) +
                                            " for the C-MOVE destination: " + listening.text());
    std::thread acceptor([&receiver] { receiver.acceptAssociations(); });
    auto stopReceiver = [&receiver, &acceptor] {
        receiver.stop = true;
        acceptor.join();
    };

    SCU scu;
    configure(scu, peer);
    OFList<OFString> syntaxes;
    syntaxes.push_back(UID_LittleEndianExplicitTransferSyntax);
    syntaxes.push_back(UID_LittleEndianImplicitTransferSyntax);
    scu.addPresentationContext(UID_MOVEStudyRootQueryRetrieveInformationModel, syntaxes);
    int outcome = connect(scu, peer, error);
    if (outcome != CDNET_OK) {
        stopReceiver();
        return outcome;
    }
    T_ASC_PresentationContextID context_id =
        scu.findPresentationContextID(UID_MOVEStudyRootQueryRetrieveInformationModel, "");
    if (context_id == 0) {
        finish(scu, true);
        stopReceiver();
        return fail(error, CDNET_UNSUPPORTED, "the peer does not offer Study Root C-MOVE");
    }
    OFCondition status = scu.sendMOVERequest(context_id, move_ae, &query, nullptr);
    if (status.bad()) {
        outcome = classify(status, peer, error);
        finish(scu, false);
        stopReceiver();
        *received = receiver.received;
        return outcome;
    }
    finish(scu, true);
    // The final C-MOVE response follows the last sub-operation; the receiver's association ends with it.
    stopReceiver();
    *received = receiver.received;
    if (!receiver.storeProblem.empty()) return fail(error, CDNET_LOCAL, receiver.storeProblem);
    if (scu.lastStatus != STATUS_Success) {
        error->dimse_status = scu.lastStatus;
        return fail(error, CDNET_STATUS, "C-MOVE did not complete");
    }
    return CDNET_OK;
}

int cdnet_store(const cdnet_peer *peer, const char *const *paths, size_t count, uint16_t *statuses,
                cdnet_error *error) {
    cdnet_initialize();
    clear(error);
    struct Instance {
        std::string sopClass;
        std::string syntax;
    };
    std::vector<Instance> instances(count);
    std::map<std::string, std::set<std::string>> syntaxesByClass;
    for (size_t i = 0; i < count; ++i) {
        statuses[i] = 0xFFFF;
        DcmFileFormat file;
        OFCondition status = file.loadFile(OFFilename(paths[i]), EXS_Unknown, EGL_noChange, 4096, ERM_autoDetect);
        if (status.bad()) {
            error->index = OFstatic_cast(long, i);
            return fail(error, CDNET_LOCAL, std::string("not readable as DICOM: ") + status.text());
        }
        OFString sopClass, instanceUID;
        file.getDataset()->findAndGetOFString(DCM_SOPClassUID, sopClass);
        file.getDataset()->findAndGetOFString(DCM_SOPInstanceUID, instanceUID);
        if (sopClass.empty() || instanceUID.empty()) {
            error->index = OFstatic_cast(long, i);
            return fail(error, CDNET_LOCAL, "no SOPClassUID (0008,0016) or SOPInstanceUID (0008,0018)");
        }
        DcmXfer syntax(file.getDataset()->getOriginalXfer());
        instances[i] = {sopClass.c_str(), syntax.getXferID()};
        syntaxesByClass[instances[i].sopClass].insert(instances[i].syntax);
    }
    SCU scu;
    configure(scu, peer);
    scu.setDatasetConversionMode(OFTrue);
    size_t contexts = 0;
    for (const auto &entry : syntaxesByClass) {
        for (const std::string &syntax : entry.second) {
            OFList<OFString> own;
            own.push_back(syntax.c_str());
            scu.addPresentationContext(entry.first.c_str(), own);
            ++contexts;
        }
        OFList<OFString> uncompressed;
        uncompressed.push_back(UID_LittleEndianExplicitTransferSyntax);
        uncompressed.push_back(UID_LittleEndianImplicitTransferSyntax);
        scu.addPresentationContext(entry.first.c_str(), uncompressed);
        ++contexts;
    }
    if (contexts > 128)
        return fail(error, CDNET_LOCAL, "more than 128 SOP class and transfer syntax combinations in one push");
    int outcome = connect(scu, peer, error);
    if (outcome != CDNET_OK) return outcome;
    for (size_t i = 0; i < count; ++i) {
        T_ASC_PresentationContextID context_id =
            scu.findPresentationContextID(instances[i].sopClass.c_str(), instances[i].syntax.c_str());
        if (context_id == 0)
            context_id = scu.findAnyPresentationContextID(instances[i].sopClass.c_str(), instances[i].syntax.c_str());
        if (context_id == 0) {
            statuses[i] = STATUS_STORE_Refused_SOPClassNotSupported;
            continue;
        }
        Uint16 response = 0;
        OFCondition status = scu.sendSTORERequest(context_id, OFFilename(paths[i]), nullptr, response);
        if (status.bad()) {
            error->index = OFstatic_cast(long, i);
            outcome = classify(status, peer, error);
            finish(scu, false);
            return outcome;
        }
        statuses[i] = response;
    }
    finish(scu, true);
    return CDNET_OK;
}

}  // extern "C"
