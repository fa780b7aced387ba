"""What the tool computes from the hulls of ``stability.thermo``, one subpackage per concept.

Imports run one way: ``materials`` (names, catalogue, classes, sets; reading a material and
locating it on a hull) and ``runtime`` (batches in local processes or on Dask) underlie
``windows`` (intrinsic and practical windows, profiles, decomposition energies) and
``interfaces``; ``uncertainty`` (MP2020 correction spread, release sensitivity) reads both;
``cells`` (stacks, pouch cells, interlayers) and ``screens`` (catalogue and class screens,
release comparison, the review's figures' data) sit on top. Nothing here plots or writes
files: that is ``stability.plotting`` and ``stability.io``.

Two concepts have their places reserved: working ions other than Li are the open element of
``stability.thermo``'s grand hulls (their materials join ``materials``), and air, moisture
and heat get ``analysis/air`` beside ``interfaces``, whose reactions with gases they are.
"""
