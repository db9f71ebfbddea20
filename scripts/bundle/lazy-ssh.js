// Bundled in place of docker-modem's `require('./ssh')`: ssh2 takes a third of the bundle's
// start-up time and is only needed for ssh:// hosts, so load it on first use.
module.exports = function sshAgent(options) {
  return require('docker-modem/lib/ssh.js')(options);
};
