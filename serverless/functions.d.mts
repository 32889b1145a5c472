export interface DeployableEntry {
  name: string;
  entry: string;
  /** Bundle the AWS SDK too (a container entry; Lambda's runtime provides the SDK to the others). */
  bundleAwsSdk?: boolean;
}
export declare const lambdaEntries: DeployableEntry[];
export declare const taskEntries: DeployableEntry[];
export declare const configFolders: string[];
