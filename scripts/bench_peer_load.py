"""Peer for the load benchmark: pydicom + numpy load a CT series to HU the usual way
(read every file, sort by ImagePositionPatient along the slice normal, stack, rescale)."""
import json
import os
import resource
import sys
import time

import numpy as np
import pydicom


def load(folder):
    files = [os.path.join(folder, name) for name in os.listdir(folder)]
    datasets = [pydicom.dcmread(path) for path in files]
    orientation = np.array(datasets[0].ImageOrientationPatient, dtype=float)
    normal = np.cross(orientation[:3], orientation[3:])
    datasets.sort(key=lambda ds: float(np.dot(np.array(ds.ImagePositionPatient, dtype=float), normal)))
    volume = np.empty((len(datasets), datasets[0].Rows, datasets[0].Columns), dtype=np.int16)
    for index, ds in enumerate(datasets):
        hu = ds.pixel_array.astype(np.int32) * int(ds.RescaleSlope) + int(ds.RescaleIntercept)
        volume[index] = hu
    return volume


if __name__ == "__main__":
    start = time.perf_counter()
    volume = load(sys.argv[1])
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "peak_rss_bytes": peak, "volume_bytes": volume.nbytes,
                      "checksum": float(volume.mean())}, sort_keys=True))
