"""Layer 8: reports for a client. What a report says, in HTML, Excel and slides.

Holds the one call (``report``), the content (``content``), HTML and Excel (``render``),
slides (``slides``) and the calibration report (``calibration``).

May import: ``womsim.analysis`` and every layer below.
"""
