"""Links to open datasets (Wikidata, DBpedia, ChEBI, MeSH, GeoNames).

linkset      the table of external datasets, `drugkg links check` and `links suggest`
             (the link set itself is data: graph/links/)
"""
