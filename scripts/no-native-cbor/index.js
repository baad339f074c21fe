// cbor-x wraps require('cbor-extract') in try/catch and falls back to pure JavaScript.
throw new Error('cbor-extract native acceleration is not installed');
