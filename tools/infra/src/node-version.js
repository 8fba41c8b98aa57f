// The project runs on the Node.js of its `node` devDependency (24 LTS), which `npm ci` installs as
// node_modules/.bin/node. npm scripts, npx and Nx put node_modules/.bin first on PATH, and every
// process the tools start runs on process.execPath, so all of it runs on that Node. A file run
// directly with the machine's own `node` (20, past its end of life) would not: the entry points
// that start the system (jest.config.js, npm start, the bench) call this and stop with a hint.
const { devDependencies } = require('../../../package.json');

function assertProjectNode() {
  const wanted = /\d+/.exec(devDependencies.node)[0];
  const major = process.versions.node.split('.')[0];
  if (major === wanted) return;
  process.stderr.write(
    `This project runs on Node.js ${wanted} (the \`node\` devDependency, node_modules/.bin/node), ` +
      `not ${process.version} (${process.execPath}).\n` +
      'Run it through npm or npx, which put node_modules/.bin first on PATH: npm start, npm test, ' +
      'npm run <script>, npx jest <spec>, npx node <file>.\n',
  );
  process.exit(1);
}

module.exports = { assertProjectNode };
