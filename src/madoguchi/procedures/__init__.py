"""電子申請・届出 (procedures): the catalog of a municipality's procedures, their forms as
versioned data, residents' submissions, electronic signatures (公的個人認証), staff
processing, fees through payments, one-stop life events and data retention."""
