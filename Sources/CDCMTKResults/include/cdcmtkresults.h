/* A small C API over DCMTK's dcmseg (Segmentation IOD) and dcmsr/cmr (TID 1500 Measurement Report) modules:
 * CementReport's results written as DICOM objects. All strings are UTF-8 and must be non-NULL (use "" for none);
 * error messages are written into caller buffers. Nothing is taken from a clock or a random source: every UID,
 * date and time is given by the caller, so the same request gives byte-identical files. */
#ifndef CDCMTKRESULTS_H
#define CDCMTKRESULTS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A coded concept: code value, coding scheme designator, code meaning. */
typedef struct {
    const char *value;
    const char *scheme;
    const char *meaning;
} cdcmr_code;

/* What the results are about and who made them (shared by SEG and SR). */
typedef struct {
    const char *patient_name;            /* a case ID, never a real name */
    const char *patient_id;              /* a case ID */
    const char *study_uid;               /* the source study's StudyInstanceUID */
    const char *study_date;              /* DA, may be "" */
    const char *series_uid;              /* the new series */
    const char *sop_instance_uid;        /* the new instance */
    const char *series_description;
    long series_number;
    const char *content_date;            /* DA */
    const char *content_time;            /* TM */
    const char *manufacturer;
    const char *model_name;
    const char *software_version;
    const char *device_uid;              /* observer device (SR) */
} cdcmr_identity;

/* One slice of the source series: the instance (and frame, 0 for a single-frame image) it came from and where it
 * lies (ImagePositionPatient). */
typedef struct {
    const char *sop_class_uid;
    const char *sop_instance_uid;
    long frame_number;
    double position[3];
} cdcmr_slice;

/* The source series' grid. */
typedef struct {
    const char *series_uid;
    const char *frame_of_reference_uid;
    long rows, columns;
    double pixel_spacing[2];             /* between rows, between columns (mm) */
    double slice_thickness, spacing_between_slices;
    double orientation[6];               /* ImageOrientationPatient */
    const cdcmr_slice *slices;           /* in slice order */
    size_t slice_count;
} cdcmr_grid;

/* One segment: its description and its voxels on the source grid (slice_count × rows × columns bytes, columns
 * fastest): occupancy 0–255 (255 = the whole voxel) for a fractional SEG, 0 or 1 for a binary one. Slices with no
 * voxel set are left out of the SEG. */
typedef struct {
    const char *label;
    const char *description;
    cdcmr_code category;
    cdcmr_code type;
    const char *algorithm_name;
    const char *tracking_id;
    const char *tracking_uid;
    const uint8_t *voxels;
} cdcmr_segment;

/* Writes a Segmentation (fractional occupancy when fractional != 0, else binary) to path. dimension_uid names
 * the dimension organization. Returns 0 on success, otherwise fills err. */
int cdcmr_write_segmentation(const char *path, const cdcmr_identity *identity, const cdcmr_grid *grid,
                             const cdcmr_segment *segments, size_t segment_count, int fractional,
                             const char *dimension_uid, char *err, size_t err_len);

/* A numeric measurement: concept, value (a DICOM DS string), unit (UCUM). */
typedef struct {
    cdcmr_code concept;
    const char *value;
    cdcmr_code unit;
} cdcmr_measurement;

/* A qualitative evaluation: concept and coded value. */
typedef struct {
    cdcmr_code concept;
    cdcmr_code value;
} cdcmr_evaluation;

/* A volumetric ROI measurement group (TID 1411) on one segment of a SEG. */
typedef struct {
    const char *tracking_id;
    const char *tracking_uid;
    cdcmr_code finding;
    cdcmr_code finding_site;
    long segment_number;
    const cdcmr_measurement *measurements;
    size_t measurement_count;
    const cdcmr_evaluation *evaluations;
    size_t evaluation_count;
} cdcmr_group;

/* The report: procedure, the SEG its groups refer to, the groups, the algorithm that measured. */
typedef struct {
    cdcmr_code procedure;
    const char *segmentation_sop_instance_uid;
    const char *source_series_uid;
    const char *algorithm_name;
    const char *algorithm_version;
    const cdcmr_group *groups;
    size_t group_count;
} cdcmr_report;

/* Writes a Comprehensive/Enhanced SR holding a TID 1500 Imaging Measurement Report to path.
 * Returns 0 on success, otherwise fills err. */
int cdcmr_write_measurement_report(const char *path, const cdcmr_identity *identity, const cdcmr_report *report,
                                   char *err, size_t err_len);

#ifdef __cplusplus
}
#endif

#endif
