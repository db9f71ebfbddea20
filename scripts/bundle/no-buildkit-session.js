// Bundled in place of dockerode's lib/session.js. That module loads gRPC and protobuf (about
// half the bundle's start-up time) only for BuildKit sessions, which this extension never
// opens: image builds use the classic builder.
module.exports = function withSession(_docker, _auth, handler) {
  handler(new Error('BuildKit sessions are not available in AICLI Workspaces; use the classic builder.'));
};
