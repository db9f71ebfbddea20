/**
 * The engine's data shapes the rest of the product reads and writes, named in one place so
 * only src/engine/ imports dockerode (see eslint.config.mjs).
 */
export type {
  ContainerCreateOptions,
  ContainerInfo,
  ContainerInspectInfo,
  ContainerStats,
  EndpointSettings,
  ExecCreateOptions,
  ExecInspectInfo,
  HostConfig,
  ImageBuildOptions,
  ImageInfo,
  ImageInspectInfo,
  MountSettings,
  NetworkCreateOptions,
  NetworkInspectInfo,
  PortMap,
  VolumeCreateOptions,
  VolumeInspectInfo,
} from 'dockerode';
