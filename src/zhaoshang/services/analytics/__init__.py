"""Region analytics: relatedness and complexity, concentration and growth, the cooperation network."""
