"""Zixun, a self-hosted self-media news platform.

Numerical work (相关推荐's vectors, the keyword and clickbait models) runs on one thread per
process: the site runs several worker processes, and a BLAS thread pool in each only spins
against the others. A tiny matrix product took 50–180 ms instead of 0.3 ms on a busy machine
with the pool on (measured with two cores loaded). An operator's own value wins.
"""

import os

for _name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")
