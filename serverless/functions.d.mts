export interface DeployableEntry {
  name: string;
  entry: string;
}
export declare const lambdaEntries: DeployableEntry[];
export declare const taskEntries: DeployableEntry[];
export declare const configFolders: string[];
