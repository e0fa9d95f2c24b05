// Imaging's users (RateEngine, Phantom, Figures) wrote atomic files, UIDs and shared buffers through Imaging
// before these moved to CementCore; re-exporting keeps one import for code built on Imaging.
@_exported import CementCore
