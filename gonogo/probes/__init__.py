"""Plain functions the checks use: they measure and explain, and import no pytest."""
