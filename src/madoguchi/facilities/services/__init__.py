"""Business logic of facilities, one module per part. Other apps change facilities' data
only through these functions."""
