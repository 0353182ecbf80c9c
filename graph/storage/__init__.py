"""The store on disk: versions, who writes them, what is loaded beside the build.

versions     versioned store directories, the atomic swap, the writer lock, readers
             holding a version, and the clean-up of what dead runs left
loading      `drugkg load`: an external dataset in its own named graph
statistics   the counts of a store version (per named graph, link sets), kept beside it
publish      `drugkg publish`: every graph, pushed to a SPARQL 1.1 server (Graph Store
             Protocol), its counts checked there
"""
