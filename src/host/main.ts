// host-update: drives the host's transactional updates from inside a toolbox (see issue 4).
process.stderr.write('host-update: not implemented yet\n');
process.exitCode = 1;
