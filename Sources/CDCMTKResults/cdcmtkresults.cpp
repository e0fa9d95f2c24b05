// DICOM Segmentation and TID 1500 Structured Report writers over DCMTK's dcmseg and dcmsr/cmr modules.
#include "dcmtk/config/osconfig.h"

#include "cdcmtkresults.h"

#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcfilefo.h"
#include "dcmtk/dcmdata/dcpath.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmfg/fgderimg.h"
#include "dcmtk/dcmfg/fgfracon.h"
#include "dcmtk/dcmfg/fgpixmsr.h"
#include "dcmtk/dcmfg/fgplanor.h"
#include "dcmtk/dcmfg/fgplanpo.h"
#include "dcmtk/dcmfg/fgseg.h"
#include "dcmtk/dcmiod/iodmacro.h"
#include "dcmtk/dcmseg/segdoc.h"
#include "dcmtk/dcmseg/segment.h"
#include "dcmtk/dcmsr/cmr/tid1500.h"
#include "dcmtk/dcmsr/dsrdoc.h"
#include "dcmtk/oflog/oflog.h"

#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace {

void quiet() {
    static std::once_flag once;
    std::call_once(once, [] { OFLog::configure(OFLogger::FATAL_LOG_LEVEL); });
}

int fail(char *err, size_t len, const std::string &message) {
    if (err && len) std::snprintf(err, len, "%s", message.c_str());
    return 1;
}

std::string where(const char *step, const OFCondition &status) {
    return std::string(step) + ": " + status.text();
}

std::string decimal(double value) {
    // DS: at most 16 characters.
    char text[32];
    for (int digits = 10; digits >= 1; --digits) {
        std::snprintf(text, sizeof text, "%.*f", digits, value);
        std::string s(text);
        while (s.find('.') != std::string::npos && s.back() == '0') s.pop_back();
        if (!s.empty() && s.back() == '.') s.pop_back();
        if (s == "-0") s = "0";
        if (s.size() <= 16) return s;
    }
    std::snprintf(text, sizeof text, "%.9e", value);
    return text;
}

CodeSequenceMacro sequenceCode(const cdcmr_code &code) {
    return CodeSequenceMacro(code.value, code.scheme, code.meaning);
}

DSRCodedEntryValue entry(const cdcmr_code &code) {
    return DSRCodedEntryValue(code.value, code.scheme, code.meaning);
}

// Puts a string at a DCMTK path such as "(0008,1115)[0].(0020,000e)", creating sequence items as needed.
OFCondition put(DcmItem &dataset, const std::string &path, const std::string &value) {
    DcmPathProcessor processor;
    OFCondition status = processor.findOrCreatePath(&dataset, OFString(path.c_str()), OFTrue);
    if (status.bad()) return status;
    OFList<DcmPath *> results;
    processor.getResults(results);
    if (results.empty()) return EC_TagNotFound;
    DcmObject *last = results.front()->back()->m_obj;
    DcmElement *element = dynamic_cast<DcmElement *>(last);
    if (!element) return EC_IllegalCall;
    return element->putString(value.c_str());
}

// Identity attributes DCMTK fills from the clock or a random UID source are set from the request.
OFCondition stamp(DcmItem &dataset, const cdcmr_identity &identity) {
    const std::pair<DcmTagKey, const char *> values[] = {
        {DCM_SOPInstanceUID, identity.sop_instance_uid},
        {DCM_SeriesInstanceUID, identity.series_uid},
        {DCM_StudyInstanceUID, identity.study_uid},
        {DCM_InstanceCreationDate, identity.content_date},
        {DCM_InstanceCreationTime, identity.content_time},
        {DCM_ContentDate, identity.content_date},
        {DCM_ContentTime, identity.content_time},
        {DCM_SeriesDate, identity.content_date},
        {DCM_SeriesTime, identity.content_time},
        {DCM_StudyDate, identity.study_date},
        {DCM_StudyTime, ""},
        {DCM_PatientName, identity.patient_name},
        {DCM_PatientID, identity.patient_id},
    };
    for (const auto &value : values) {
        OFCondition status = dataset.putAndInsertString(value.first, value.second);
        if (status.bad()) return status;
    }
    return EC_Normal;
}

OFCondition save(DcmFileFormat &file, const char *path) {
    return file.saveFile(path, EXS_LittleEndianExplicit, EET_ExplicitLength, EGL_recalcGL, EPD_noChange, 0, 0,
                         EWM_createNewMeta);
}

}  // namespace

extern "C" int cdcmr_write_segmentation(const char *path, const cdcmr_identity *identity, const cdcmr_grid *grid,
                                        const cdcmr_segment *segments, size_t segment_count, int fractional,
                                        const char *dimension_uid, char *err, size_t err_len) {
    quiet();
    if (!path || !identity || !grid || !segments || segment_count == 0 || !grid->slices || grid->slice_count == 0)
        return fail(err, err_len, "incomplete segmentation request");
    if (grid->rows <= 0 || grid->columns <= 0 || grid->rows > 65535 || grid->columns > 65535)
        return fail(err, err_len, "rows and columns must be 1-65535");
    IODGeneralEquipmentModule::EquipmentInfo equipment(identity->manufacturer, identity->model_name, "1",
                                                       identity->software_version);
    ContentIdentificationMacro content("1", "CEMENT", identity->series_description, "CementReport");
    DcmSegmentation *created = nullptr;
    OFCondition status = fractional
        ? DcmSegmentation::createFractionalSegmentation(created, Uint16(grid->rows), Uint16(grid->columns),
                                                        DcmSegTypes::SFT_OCCUPANCY, 255, equipment, content)
        : DcmSegmentation::createBinarySegmentation(created, Uint16(grid->rows), Uint16(grid->columns), equipment,
                                                    content);
    if (status.bad() || !created) return fail(err, err_len, where("creating the segmentation", status));
    std::unique_ptr<DcmSegmentation> seg(created);

    seg->getPatient().setPatientName(identity->patient_name);
    seg->getPatient().setPatientID(identity->patient_id);
    seg->getStudy().setStudyInstanceUID(identity->study_uid);
    seg->getSeries().setSeriesInstanceUID(identity->series_uid);
    seg->getSeries().setSeriesNumber(std::to_string(identity->series_number).c_str());
    seg->getSeries().setSeriesDescription(identity->series_description);
    seg->getSOPCommon().setSOPInstanceUID(identity->sop_instance_uid);
    seg->getGeneralImage().setContentDate(identity->content_date);
    seg->getGeneralImage().setContentTime(identity->content_time);
    status = seg->getFrameOfReference().setFrameOfReferenceUID(grid->frame_of_reference_uid);
    if (status.bad()) return fail(err, err_len, where("FrameOfReferenceUID", status));

    FGPixelMeasures measures;
    measures.setPixelSpacing((decimal(grid->pixel_spacing[0]) + "\\" + decimal(grid->pixel_spacing[1])).c_str());
    measures.setSliceThickness(decimal(grid->slice_thickness).c_str());
    measures.setSpacingBetweenSlices(decimal(grid->spacing_between_slices).c_str());
    FGPlaneOrientationPatient orientation;
    const double *o = grid->orientation;
    orientation.setImageOrientationPatient(decimal(o[0]).c_str(), decimal(o[1]).c_str(), decimal(o[2]).c_str(),
                                           decimal(o[3]).c_str(), decimal(o[4]).c_str(), decimal(o[5]).c_str());
    if ((status = seg->addForAllFrames(measures)).bad() || (status = seg->addForAllFrames(orientation)).bad())
        return fail(err, err_len, where("shared functional groups", status));

    for (size_t s = 0; s < segment_count; ++s) {
        const cdcmr_segment &spec = segments[s];
        DcmSegment *segment = nullptr;
        status = DcmSegment::create(segment, spec.label, sequenceCode(spec.category), sequenceCode(spec.type),
                                    DcmSegTypes::SAT_AUTOMATIC, spec.algorithm_name);
        if (status.bad() || !segment) return fail(err, err_len, where(("segment " + std::to_string(s + 1)).c_str(), status));
        if (*spec.description) segment->setSegmentDescription(spec.description);
        if (*spec.tracking_id) segment->setTrackingID(spec.tracking_id);
        if (*spec.tracking_uid) segment->setTrackingUID(spec.tracking_uid);
        Uint16 number = 0;
        if ((status = seg->addSegment(segment, number)).bad()) {
            delete segment;
            return fail(err, err_len, where(("adding segment " + std::to_string(s + 1)).c_str(), status));
        }
    }

    const size_t plane = size_t(grid->rows) * size_t(grid->columns);
    std::vector<Uint8> frame(plane);
    size_t frames = 0;
    std::vector<long> sourceFrames;  // the source frame each SEG frame segments (0: a single-frame image)
    for (size_t s = 0; s < segment_count; ++s) {
        for (size_t k = 0; k < grid->slice_count; ++k) {
            const uint8_t *voxels = segments[s].voxels + k * plane;
            bool any = false;
            for (size_t n = 0; n < plane && !any; ++n) any = voxels[n] != 0;
            if (!any) continue;
            std::memcpy(frame.data(), voxels, plane);
            const cdcmr_slice &slice = grid->slices[k];
            FGPlanePosPatient position;
            position.setImagePositionPatient(decimal(slice.position[0]).c_str(), decimal(slice.position[1]).c_str(),
                                             decimal(slice.position[2]).c_str());
            FGFrameContent frameContent;
            frameContent.setDimensionIndexValues(Uint32(s + 1), 0);
            frameContent.setDimensionIndexValues(Uint32(k + 1), 1);
            FGSegmentation segmentation;
            segmentation.setReferencedSegmentNumber(Uint16(s + 1));
            OFVector<ImageSOPInstanceReferenceMacro> sources(1);
            sources[0].setReferencedSOPClassUID(slice.sop_class_uid);
            sources[0].setReferencedSOPInstanceUID(slice.sop_instance_uid);
            std::unique_ptr<FGDerivationImage> derivation(
                DcmSegmentation::createDerivationImageFG(sources, "Segmented by the CementReport rate engine"));
            if (!derivation) return fail(err, err_len, "cannot create the derivation image functional group");
            OFVector<FGBase *> perFrame;
            perFrame.push_back(&position);
            perFrame.push_back(&frameContent);
            perFrame.push_back(&segmentation);
            perFrame.push_back(derivation.get());
            status = seg->addFrame(frame.data(), Uint16(s + 1), perFrame);
            if (status.bad())
                return fail(err, err_len, where(("frame of segment " + std::to_string(s + 1) + " on slice "
                                                 + std::to_string(k + 1)).c_str(), status));
            sourceFrames.push_back(slice.frame_number);
            ++frames;
        }
    }
    if (frames == 0) return fail(err, err_len, "every segment is empty");

    IODMultiframeDimensionModule &dimensions = seg->getDimensions();
    dimensions.addDimensionIndex(DCM_ReferencedSegmentNumber, dimension_uid, DCM_SegmentIdentificationSequence,
                                 "Segment number");
    dimensions.addDimensionIndex(DCM_ImagePositionPatient, dimension_uid, DCM_PlanePositionSequence,
                                 "Image position");

    IODReferences references;
    for (size_t k = 0; k < grid->slice_count; ++k) {
        const cdcmr_slice &slice = grid->slices[k];
        if (k > 0 && std::strcmp(slice.sop_instance_uid, grid->slices[k - 1].sop_instance_uid) == 0) continue;
        references.add(new IODImageReference(identity->patient_id, identity->study_uid, grid->series_uid,
                                             slice.sop_instance_uid, slice.sop_class_uid));
    }
    seg->getCommonInstanceReference().addReferences(references, identity->study_uid);

    DcmFileFormat file;
    if ((status = seg->writeDataset(*file.getDataset())).bad())
        return fail(err, err_len, where("encoding the segmentation", status));
    DcmDataset &dataset = *file.getDataset();
    if ((status = stamp(dataset, *identity)).bad()) return fail(err, err_len, where("identity", status));
    if ((status = put(dataset, "(0020,9222)[0].(0020,9164)", dimension_uid)).bad())
        return fail(err, err_len, where("dimension organization", status));
    if ((status = put(dataset, "(0020,9221)[0].(0020,9164)", dimension_uid)).bad())
        return fail(err, err_len, where("dimension organization", status));
    // DCMTK 3.6.7's derivation image items do not write Referenced Frame Number: a frame of a multi-frame source is
    // named in the dataset.
    for (size_t n = 0; n < sourceFrames.size(); ++n) {
        if (sourceFrames[n] <= 0) continue;
        const std::string at = "(5200,9230)[" + std::to_string(n) + "].(0008,9124)[0].(0008,2112)[0].(0008,1160)";
        if ((status = put(dataset, at, std::to_string(sourceFrames[n]))).bad())
            return fail(err, err_len, where("referenced frame number", status));
    }
    if ((status = save(file, path)).bad()) return fail(err, err_len, where(path, status));
    return 0;
}

extern "C" int cdcmr_write_measurement_report(const char *path, const cdcmr_identity *identity,
                                              const cdcmr_report *request, char *err, size_t err_len) {
    quiet();
    if (!path || !identity || !request || (request->group_count > 0 && !request->groups))
        return fail(err, err_len, "incomplete report request");
    TID1500_MeasurementReport report(CMR_CID7021::ImagingMeasurementReport);
    OFCondition status;
    if ((status = report.setLanguage(CID5000_Languages::English)).bad())
        return fail(err, err_len, where("language", status));
    status = report.getObservationContext().addDeviceObserver(identity->device_uid, identity->model_name,
                                                                identity->manufacturer, identity->model_name);
    if (status.bad()) return fail(err, err_len, where("observer device", status));
    if ((status = report.addProcedureReported(entry(request->procedure))).bad())
        return fail(err, err_len, where("procedure reported", status));

    for (size_t g = 0; g < request->group_count; ++g) {
        const cdcmr_group &spec = request->groups[g];
        const std::string name = "measurement group " + std::to_string(g + 1);
        if ((status = report.addVolumetricROIMeasurements()).bad()) return fail(err, err_len, where(name.c_str(), status));
        TID1500_MeasurementReport::TID1411_Measurements &group = report.getVolumetricROIMeasurements();
        if ((status = group.setTrackingIdentifier(spec.tracking_id)).bad()
            || (status = group.setTrackingUniqueIdentifier(spec.tracking_uid)).bad())
            return fail(err, err_len, where((name + " tracking").c_str(), status));
        DSRImageReferenceValue segment(UID_SegmentationStorage, request->segmentation_sop_instance_uid);
        segment.getSegmentList().addItem(Uint16(spec.segment_number));
        if ((status = group.setReferencedSegment(segment)).bad())
            return fail(err, err_len, where((name + " referenced segment").c_str(), status));
        if ((status = group.setSourceSeriesForSegmentation(request->source_series_uid)).bad())
            return fail(err, err_len, where((name + " source series").c_str(), status));
        if ((status = group.setFinding(entry(spec.finding))).bad())
            return fail(err, err_len, where((name + " finding").c_str(), status));
        if ((status = group.addFindingSite(entry(spec.finding_site))).bad())
            return fail(err, err_len, where((name + " finding site").c_str(), status));
        for (size_t m = 0; m < spec.measurement_count; ++m) {
            const cdcmr_measurement &measurement = spec.measurements[m];
            const CMR_TID1411_in_TID1500::MeasurementValue value(measurement.value,
                                                                 CID7181_AbstractMultiDimensionalImageModelComponentUnits(entry(measurement.unit)));
            status = group.addMeasurement(CID7469_GenericIntensityAndSizeMeasurements(entry(measurement.concept)), value);
            if (status.bad())
                return fail(err, err_len, where((name + " measurement " + measurement.concept.meaning).c_str(), status));
            status = group.getMeasurement().setAlgorithmIdentification(request->algorithm_name, request->algorithm_version);
            if (status.bad()) return fail(err, err_len, where((name + " algorithm").c_str(), status));
        }
        for (size_t e = 0; e < spec.evaluation_count; ++e) {
            const cdcmr_evaluation &evaluation = spec.evaluations[e];
            if ((status = group.addQualitativeEvaluation(entry(evaluation.concept), entry(evaluation.value))).bad())
                return fail(err, err_len, where((name + " evaluation " + evaluation.value.meaning).c_str(), status));
        }
    }
    if (!report.isValid()) return fail(err, err_len, "the TID 1500 report is incomplete");

    DSRDocument document;
    if ((status = document.setTreeFromRootTemplate(report, OFTrue)).bad())
        return fail(err, err_len, where("document tree", status));
    document.setSpecificCharacterSetType(DSRTypes::CS_UTF8);
    document.setPatientName(identity->patient_name);
    document.setPatientID(identity->patient_id);
    document.setManufacturer(identity->manufacturer);
    document.setManufacturerModelName(identity->model_name);
    document.setSoftwareVersions(identity->software_version);
    document.setSeriesDescription(identity->series_description);
    document.setSeriesNumber(std::to_string(identity->series_number).c_str());
    document.setInstanceNumber("1");
    if ((status = document.createNewSeriesInStudy(identity->study_uid)).bad())
        return fail(err, err_len, where("study", status));
    DcmFileFormat file;
    if ((status = document.write(*file.getDataset())).bad()) return fail(err, err_len, where("encoding the report", status));
    if ((status = stamp(*file.getDataset(), *identity)).bad()) return fail(err, err_len, where("identity", status));
    if ((status = save(file, path)).bad()) return fail(err, err_len, where(path, status));
    return 0;
}
