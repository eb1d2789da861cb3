"""Output stage: exports, manifest, reports, display."""
