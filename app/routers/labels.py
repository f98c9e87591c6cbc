"""Your own categories (beside the defaults) and tags."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.db import SessionDep
from app.deps import CurrentUser
from app.services.expenses import tags
from app.services.expenses.tags import TagCreate, TagOut, TagPatch
from app.services.reference import user_categories
from app.services.reference.queries import category_tree
from app.services.reference.schemas import CategoryOut
from app.services.reference.user_categories import CategoryCreate, CategoryPatch

router = APIRouter(tags=["reference"])


@router.get("/categories", summary="The default categories with your own among them, as a tree")
async def list_categories(user: CurrentUser, session: SessionDep) -> list[CategoryOut]:
    return await category_tree(session, user.id)


@router.post("/categories", status_code=status.HTTP_201_CREATED, summary="Add a category of your own")
async def create_category(data: CategoryCreate, user: CurrentUser, session: SessionDep) -> CategoryOut:
    return await user_categories.create(session, user, data)


@router.patch("/categories/{category_id}", summary="Rename, recolour or move one of your categories")
async def patch_category(
    category_id: uuid.UUID, data: CategoryPatch, user: CurrentUser, session: SessionDep
) -> CategoryOut:
    return await user_categories.patch(session, user, category_id, data)


@router.delete(
    "/categories/{category_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete one of your categories; its expenses and subcategories move to its parent",
)
async def delete_category(category_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    await user_categories.remove(session, user, category_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/tags", summary="Your tags, most used first")
async def list_tags(user: CurrentUser, session: SessionDep) -> list[TagOut]:
    return await tags.listing(session, user)


@router.post("/tags", status_code=status.HTTP_201_CREATED, summary="Add a tag")
async def create_tag(data: TagCreate, user: CurrentUser, session: SessionDep) -> TagOut:
    return await tags.create(session, user, data)


@router.patch("/tags/{tag_id}", summary="Rename or recolour a tag")
async def patch_tag(tag_id: uuid.UUID, data: TagPatch, user: CurrentUser, session: SessionDep) -> TagOut:
    return await tags.patch(session, user, tag_id, data)


@router.delete("/tags/{tag_id}", status_code=status.HTTP_204_NO_CONTENT, summary="Delete a tag (from every expense)")
async def delete_tag(tag_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> Response:
    await tags.remove(session, user, tag_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
