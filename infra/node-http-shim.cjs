// What the bundles get for `node:http` (esbuild alias, BUNDLE_ALIASES in sync-function.ts): the
// module itself, taken as CommonJS takes it. Imported as an ES module instead, Node 24 reads every
// export of node:http to build the module's namespace, the lazy WebSocket among them, which loads
// undici (60-80 ms on this machine) at every cold start although nothing here uses it.
module.exports = process.getBuiltinModule('node:http');
