"""CRM providers behind one protocol (``base``): one package per CRM, each a client and a mapper."""
