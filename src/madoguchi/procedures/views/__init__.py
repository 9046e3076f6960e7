"""Residents' views of procedures: the catalog (`catalog`) and applying (`apply`)."""
