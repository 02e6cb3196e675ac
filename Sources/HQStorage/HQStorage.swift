// Storage layer: libpq connections and pool, binary COPY, LISTEN/NOTIFY, migrations, embedded cluster.
