// exchange-sync CLI. Commands are added as the pieces land.
const [command] = process.argv.slice(2);
if (command === 'local') {
  console.log('exchange-sync local: the pipeline is not built yet.');
} else {
  console.log('usage: exchange-sync <local>');
}
