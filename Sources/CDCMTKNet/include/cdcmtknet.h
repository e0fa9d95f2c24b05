/* A small C API over DCMTK's dcmnet (DcmSCU): C-ECHO, C-FIND, C-GET, C-MOVE and C-STORE as a service class user
 * (C-MOVE with a storage SCP of its own).
 * Every call opens one association, does its work and releases it. Strings are UTF-8 (AE titles ASCII);
 * the outcome of a call is written into a cdnet_error. DCMTK's network logger is kept silent, so no
 * dataset content (patient attributes) reaches stderr. */
#ifndef CDCMTKNET_H
#define CDCMTKNET_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Where the peer is and how long to wait for it. Timeouts in seconds, at least 1. */
typedef struct {
    const char *host;
    uint16_t port;
    const char *calling_ae;
    const char *called_ae;
    int connect_timeout;
    int acse_timeout;
    int dimse_timeout;
} cdnet_peer;

/* What went wrong, by kind. */
typedef enum {
    CDNET_OK = 0,
    CDNET_UNREACHABLE = 1,   /* no TCP connection (refused, no route, connect timeout) */
    CDNET_REJECTED = 2,      /* the peer rejected the association (A-ASSOCIATE-RJ); reject_* say why */
    CDNET_TIMEOUT = 3,       /* connected, but the peer did not answer in time */
    CDNET_UNSUPPORTED = 4,   /* association accepted, but none of the proposed presentation contexts */
    CDNET_STATUS = 5,        /* the peer answered with a failure status (dimse_status) */
    CDNET_ABORTED = 6,       /* the peer aborted or closed the association */
    CDNET_LOCAL = 7          /* a local problem (file unreadable, folder not writable, bad argument) */
} cdnet_outcome;

typedef struct {
    int outcome;                 /* a cdnet_outcome */
    int reject_result;           /* 1 permanent, 2 transient (PS3.8 9.3.4) */
    int reject_source;           /* 1 service user, 2 provider (ACSE), 3 provider (presentation) */
    int reject_reason;           /* DCMTK's T_ASC_RejectParametersReason, e.g. 0x0107 called AE not recognised */
    unsigned dimse_status;       /* the failure status when outcome is CDNET_STATUS */
    long index;                  /* the file concerned (cdnet_store), or -1 */
    char message[512];
} cdnet_error;

/* Silences DCMTK's network logging. Called by every function; safe to call more than once. */
void cdnet_initialize(void);

/* C-ECHO. Returns the outcome (0 on success). */
int cdnet_echo(const cdnet_peer *peer, cdnet_error *error);

/* One attribute of a query: its tag and the value to match ("" asks for it to be returned). */
typedef struct {
    uint16_t group;
    uint16_t element;
    const char *value;
} cdnet_key;

/* Called for each C-FIND match with the query's keys, values filled from the response ("" when absent).
 * The strings live until the callback returns. */
typedef void (*cdnet_match_fn)(void *context, const cdnet_key *keys, size_t count);

/* C-FIND in the Study Root information model at a level ("STUDY", "SERIES" or "IMAGE"). */
int cdnet_find(const cdnet_peer *peer, const char *level, const cdnet_key *keys, size_t count,
               cdnet_match_fn on_match, void *context, cdnet_error *error);

/* C-GET in the Study Root model: the instances matching the keys are received into folder, one file
 * per instance named SOPInstanceUID.dcm. received gets the number of files written. */
int cdnet_get(const cdnet_peer *peer, const char *level, const cdnet_key *keys, size_t count,
              const char *folder, unsigned long *received, cdnet_error *error);

/* C-MOVE in the Study Root model: a storage SCP with AE title move_ae listens on move_port (all
 * interfaces) in this process while the peer is asked to send the matching instances to move_ae,
 * which it must know by that title, this host and that port. Instances are written as for cdnet_get.
 * An unknown destination is the peer's failure status (0xA801 from most PACSes). */
int cdnet_move(const cdnet_peer *peer, const char *level, const cdnet_key *keys, size_t count,
               const char *move_ae, uint16_t move_port, const char *folder, unsigned long *received,
               cdnet_error *error);

/* C-STORE of DICOM files on one association. statuses[i] gets the peer's status for paths[i]
 * (0 success, 0xB000.. warning, anything else failure). A file that cannot be read stops the call
 * before any association with CDNET_LOCAL and error->index set. */
int cdnet_store(const cdnet_peer *peer, const char *const *paths, size_t count, uint16_t *statuses,
                cdnet_error *error);

#ifdef __cplusplus
}
#endif

#endif
