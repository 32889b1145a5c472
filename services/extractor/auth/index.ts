export * from './createAuth';
export * from './staticAuth';
export * from './OAuthTokenAuth';
