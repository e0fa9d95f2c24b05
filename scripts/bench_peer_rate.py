"""Peer for the rate benchmark: a SimpleITK pipeline doing comparable work on the same series — read the
series, threshold the cement, connected components, a bone threshold with hole filling around the cement,
and label statistics for both volumes."""
import json
import resource
import sys
import time

import SimpleITK as sitk


def measure(folder):
    reader = sitk.ImageSeriesReader()
    reader.SetFileNames(reader.GetGDCMSeriesFileNames(folder))
    image = reader.Execute()
    cement = sitk.ConnectedComponent(sitk.BinaryThreshold(image, 1000, 32767, 1, 0))
    cement = sitk.RelabelComponent(cement, minimumObjectSize=20)
    largest = sitk.BinaryThreshold(cement, 1, 1, 1, 0)
    stats = sitk.LabelShapeStatisticsImageFilter()
    stats.Execute(largest)
    box = stats.GetBoundingBox(1)
    spacing = image.GetSpacing()
    margin = [int(40 / spacing[0]), int(40 / spacing[1]), int(25 / spacing[2])]
    start = [max(0, box[d] - margin[d]) for d in range(3)]
    size = [min(image.GetSize()[d] - start[d], box[d + 3] + 2 * margin[d]) for d in range(3)]
    roi = sitk.RegionOfInterest(image, size, start)
    bone = sitk.BinaryThreshold(sitk.SmoothingRecursiveGaussian(roi, 0.4), 180, 32767, 1, 0)
    body = sitk.BinaryFillhole(sitk.BinaryMorphologicalClosing(bone, [2, 2, 1]))
    body = sitk.RelabelComponent(sitk.ConnectedComponent(body))
    body = sitk.BinaryThreshold(body, 1, 1, 1, 0)
    stats.Execute(body)
    body_ml = stats.GetPhysicalSize(1) / 1000
    roi_cement = sitk.RegionOfInterest(largest, size, start)
    stats.Execute(sitk.And(roi_cement, body))
    cement_ml = stats.GetPhysicalSize(1) / 1000 if stats.HasLabel(1) else 0.0
    return body_ml, cement_ml


if __name__ == "__main__":
    start = time.perf_counter()
    body_ml, cement_ml = measure(sys.argv[1])
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"seconds": seconds, "peak_rss_bytes": peak, "body_ml": body_ml, "cement_ml": cement_ml}))
