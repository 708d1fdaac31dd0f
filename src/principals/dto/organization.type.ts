import { Field, ID, ObjectType } from '@nestjs/graphql';

@ObjectType('Organization')
export class OrganizationType {
  @Field(() => ID) id!: string;
  @Field({ description: 'hotline-centre, department, university, institute or audit-office' }) kind!: string;
  @Field() nameZh!: string;
  @Field() nameEn!: string;
  @Field(() => String, {
    nullable: true,
    description: 'For departments: the handling-department code whose own cases it sees in detail',
  })
  departmentCode!: string | null;
}
