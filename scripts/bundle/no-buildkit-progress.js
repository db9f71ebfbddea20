// Bundled in place of dockerode's lib/buildkit.js (docker.followProgress, since 4.0.10). That
// module loads protobufjs (about 100 kB of each minified bundle) to decode BuildKit status
// lines, which this extension never gets: image builds use the classic builder. Without BuildKit
// lines, docker.followProgress is docker-modem's followProgress, which does not use its `this`.
module.exports = { followProgress: require('docker-modem').prototype.followProgress };
