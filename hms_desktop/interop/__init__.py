"""In and out of the clinic: FHIR R4 export and import, spreadsheet import, labels, scanning.

Qt-free, above the services layer: it reads through the services' query methods and writes
only through the services' batch methods, so validation, IDs and history hold for imported
data exactly as for typed data. Nothing here writes a data file directly.
"""
