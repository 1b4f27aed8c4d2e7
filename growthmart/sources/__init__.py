"""Sources declared once (growthmart/contracts.py): the files generated from the declarations (`generated`) and
`make new-source` (`scaffold`)."""
