#!/usr/bin/env python3
"""Independent reference for the measurements unit test (standard library only).

Reads a CT NIfTI and binary tissue masks on the same grid, and prints per axial slice (k) and mask:
voxel count, area in cm2 (count x pixdim[1] x pixdim[2] / 100), mean and population SD of HU, both
over all mask voxels and over the mask voxels inside the given HU range.

usage: tissue_reference.py CT.nii.gz NAME=MASK.nii.gz:MIN:MAX ...   -> JSON on stdout
"""
import gzip
import json
import math
import struct
import sys

FORMATS = {2: "B", 4: "h", 8: "i", 16: "f", 64: "d", 256: "b", 512: "H"}


def read_nifti(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    endian = "<" if struct.unpack("<i", data[0:4])[0] == 348 else ">"
    dim = struct.unpack(endian + "8h", data[40:56])
    datatype = struct.unpack(endian + "h", data[70:72])[0]
    pixdim = struct.unpack(endian + "8f", data[76:108])
    vox_offset = int(struct.unpack(endian + "f", data[108:112])[0])
    slope, inter = struct.unpack(endian + "2f", data[112:120])
    nx, ny, nz = dim[1], dim[2], dim[3]
    fmt = FORMATS[datatype]
    count = nx * ny * nz
    size = struct.calcsize(fmt)
    values = struct.unpack(endian + fmt * count, data[vox_offset : vox_offset + size * count])
    if slope not in (0.0, 1.0) or inter != 0.0:
        values = [v * (slope or 1.0) + inter for v in values]
    return (nx, ny, nz), pixdim, values


def stats(hus):
    n = len(hus)
    if n == 0:
        return {"count": 0, "mean": None, "sd": None}
    mean = math.fsum(hus) / n
    sd = math.sqrt(math.fsum((h - mean) ** 2 for h in hus) / n)
    return {"count": n, "mean": mean, "sd": sd}


def main():
    (nx, ny, nz), pixdim, ct = read_nifti(sys.argv[1])
    voxel_cm2 = pixdim[1] * pixdim[2] / 100.0
    out = {"shape": [nx, ny, nz], "voxel_cm2": voxel_cm2, "masks": {}}
    for arg in sys.argv[2:]:
        name, rest = arg.split("=", 1)
        path, lo, hi = rest.rsplit(":", 2)
        lo, hi = float(lo), float(hi)
        shape, _, mask = read_nifti(path)
        assert shape == (nx, ny, nz), f"{name}: grid {shape} differs from the CT"
        slices = []
        plane = nx * ny
        for k in range(nz):
            hus = [ct[k * plane + i] for i in range(plane) if mask[k * plane + i]]
            if not hus:
                continue
            all_stats = stats(hus)
            ranged = stats([h for h in hus if lo <= h <= hi])
            slices.append(
                {
                    "k": k,
                    "all": dict(all_stats, area_cm2=all_stats["count"] * voxel_cm2),
                    "in_range": dict(ranged, area_cm2=ranged["count"] * voxel_cm2),
                }
            )
        out["masks"][name] = {"range": [lo, hi], "slices": slices}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
