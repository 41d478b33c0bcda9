import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { addLatchkey } from './latchkey';

const app = new App();
addLatchkey(app);
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
